package io.github.chatserver.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the Redis programs the fixtures run: on the PATH, else where Debian's packages put them. */
final class RedisBinaries {
    static final String SERVER = "redis-server";
    static final String CLI = "redis-cli";

    private RedisBinaries() {
    }

    /** The absolute path of {@code redis-server} or {@code redis-cli}; fails with what to install. */
    static String path(String name) {
        List<String> dirs = new ArrayList<>(List.of(
                System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(":")));
        dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin"));
        for (String dir : dirs) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String debianPackage = CLI.equals(name) ? "redis-tools" : "redis-server";
        throw new IllegalStateException(name + " is not installed: install the Debian package '" + debianPackage
                + "' (apt-get install " + debianPackage + "), or run ./test.sh, which installs it when run as root");
    }
}
