package io.github.chatserver.server.transport;

import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.server.TestKeystore;
import io.github.chatserver.server.config.TlsSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The keystore is found relative to Karaf's home, and a keystore that cannot serve is refused by name. */
class TlsContextsTest {
    @TempDir
    static Path dir;
    private static TestKeystore keystore;

    @BeforeAll
    static void keys() throws Exception {
        keystore = TestKeystore.generate(dir);
    }

    @AfterEach
    void clearKarafHome() {
        System.clearProperty(TlsContexts.KARAF_HOME);
    }

    private static TlsSettings only(String path) {
        return new TlsSettings(TlsSettings.ONLY, 0, BodyCipher.NONE, path, TestKeystore.PASSWORD, TestKeystore.TYPE,
                List.of("TLSv1.3"));
    }

    @Test
    void aRelativePathIsResolvedAgainstKarafHome() throws Exception {
        System.setProperty(TlsContexts.KARAF_HOME, dir.toString());

        assertEquals(keystore.path(), TlsContexts.keystorePath("server.p12"));
        assertNotNull(TlsContexts.serverContext(only("server.p12")));
        assertEquals(Path.of("/etc/x.p12"), TlsContexts.keystorePath("/etc/x.p12"), "absolute stays absolute");
    }

    @Test
    void withoutKarafHomeARelativePathIsTheWorkingDirectorysAndAMissingFileIsNamed() {
        assertEquals(Path.of("server.p12"), TlsContexts.keystorePath("server.p12"));
        IOException e = assertThrows(IOException.class, () -> TlsContexts.serverContext(only("no-such/server.p12")));
        assertTrue(e.getMessage().contains("no-such/server.p12") && e.getMessage().contains("keystorePath"),
                e.getMessage());
    }

    @Test
    void aKeystoreWithoutAPrivateKeyIsRefused() throws Exception {
        KeyStore empty = KeyStore.getInstance(TestKeystore.TYPE);
        empty.load(null, null);
        Path file = dir.resolve("empty.p12");
        try (var out = java.nio.file.Files.newOutputStream(file)) {
            empty.store(out, TestKeystore.PASSWORD.toCharArray());
        }
        IOException e = assertThrows(IOException.class, () -> TlsContexts.serverContext(only(file.toString())));
        assertTrue(e.getMessage().contains("no private key"), e.getMessage());
    }
}
