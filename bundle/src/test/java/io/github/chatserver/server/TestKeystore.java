package io.github.chatserver.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed server key made at test time by the JDK's own {@code keytool}, and a client
 * {@link SSLContext} that trusts exactly that certificate.
 */
public final class TestKeystore {
    public static final String PASSWORD = "test-secret";
    public static final String TYPE = "PKCS12";

    private final Path path;

    private TestKeystore(Path path) {
        this.path = path;
    }

    /** Runs {@code keytool -genkeypair} into {@code dir}: an EC P-256 key for CN=localhost, IP 127.0.0.1. */
    public static TestKeystore generate(Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "chatserver",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", TYPE, "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD))
                .redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || !Files.isRegularFile(file)) {
            throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return new TestKeystore(file);
    }

    public Path path() {
        return path;
    }

    /** A client context that trusts the generated certificate and nothing else. */
    public SSLContext clientContext() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(TYPE);
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
