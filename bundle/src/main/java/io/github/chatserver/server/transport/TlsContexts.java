package io.github.chatserver.server.transport;

import io.github.chatserver.server.config.ConfigPaths;
import io.github.chatserver.server.config.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The server's {@link SSLContext}, from the configured keystore. */
public final class TlsContexts {
    /** The system property Karaf sets to its installation directory. */
    static final String KARAF_HOME = ConfigPaths.KARAF_HOME;

    private TlsContexts() {
    }

    /**
     * Loads the keystore and builds a server context from its key. Fails with a message that
     * names the file and the configuration key to look at.
     */
    public static SSLContext serverContext(TlsSettings tls) throws IOException {
        Path path = keystorePath(tls.keystorePath());
        char[] password = tls.keystorePassword().toCharArray();
        KeyStore keys;
        try {
            keys = KeyStore.getInstance(tls.keystoreType());
        } catch (GeneralSecurityException e) {
            throw new IOException("keystoreType '" + tls.keystoreType() + "' is not supported: " + e.getMessage(), e);
        }
        try (InputStream in = Files.newInputStream(path)) {
            keys.load(in, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IOException("Cannot read the keystore " + path + " (keystorePath, keystorePassword, keystoreType): "
                    + e.getMessage(), e);
        }
        try {
            boolean hasKey = false;
            for (String alias : Collections.list(keys.aliases())) {
                hasKey |= keys.isKeyEntry(alias);
            }
            if (!hasKey) {
                throw new IOException("The keystore " + path + " holds no private key (keystorePath)");
            }
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot use the key in " + path + " (keystorePassword is also the key's password): "
                    + e.getMessage(), e);
        }
    }

    /** A relative path is taken relative to Karaf's home when running in Karaf, else to the working directory. */
    static Path keystorePath(String configured) {
        return ConfigPaths.resolve(configured);
    }
}
