package io.github.chatserver.server.config;

import java.util.List;
import java.util.Set;

/**
 * The TLS listener: {@code off}; {@code separate} (plain listener on {@code port}, TLS on
 * {@code tlsPort}); or {@code only} (TLS on {@code port}, no plain listener). Bodies on the TLS
 * listener use {@code cipher} (the key {@code tlsCipher}; default {@code none}: TLS protects
 * them), in both modes. A relative {@code keystorePath} is resolved against Karaf's home.
 */
public record TlsSettings(String mode, int port, String cipher, String keystorePath, String keystorePassword,
                          String keystoreType, List<String> protocols) {
    public static final String OFF = "off";
    public static final String SEPARATE = "separate";
    public static final String ONLY = "only";

    public static final TlsSettings DEFAULTS = new TlsSettings(OFF, 8990, "none", "", "", "PKCS12",
            List.of("TLSv1.3", "TLSv1.2"));

    public TlsSettings {
        ServerSettings.require(Set.of(OFF, SEPARATE, ONLY).contains(mode),
                "tls must be off, separate or only, not '" + mode + "'");
        ServerSettings.require(port >= 0 && port <= 65535, "tlsPort must be within 0..65535");
        ServerSettings.require(OFF.equals(mode) || keystorePath != null && !keystorePath.isBlank(),
                "tls " + mode + " needs keystorePath");
        ServerSettings.require(protocols.stream().allMatch(p -> p.equals("TLSv1.3") || p.equals("TLSv1.2")),
                "tlsProtocols may list only TLSv1.3 and TLSv1.2");
        ServerSettings.require(OFF.equals(mode) || !protocols.isEmpty(), "tls " + mode + " needs tlsProtocols");
        keystorePassword = keystorePassword == null ? "" : keystorePassword;
        protocols = List.copyOf(protocols);
    }

    public boolean enabled() {
        return !OFF.equals(mode);
    }
}
