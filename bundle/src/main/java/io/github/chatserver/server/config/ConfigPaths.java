package io.github.chatserver.server.config;

import java.nio.file.Path;

/** Files named in the configuration (keystorePath, redisConfig). */
public final class ConfigPaths {
    /** The system property Karaf sets to its installation directory. */
    public static final String KARAF_HOME = "karaf.home";

    private ConfigPaths() {
    }

    /** A relative path is taken relative to Karaf's home when running in Karaf, else to the working directory. */
    public static Path resolve(String configured) {
        Path path = Path.of(configured);
        String home = System.getProperty(KARAF_HOME);
        if (!path.isAbsolute() && home != null && !home.isBlank()) {
            return Path.of(home).resolve(path);
        }
        return path;
    }
}
