package io.github.chatserver.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A fuzz target's committed seed inputs, kept equal to the code that generates them: a test fails
 * when a file is missing or out of date, and {@code -Dfuzz.writeSeeds=true} writes them anew.
 */
public final class SeedCorpus {
    private SeedCorpus() {
    }

    /** Asserts that {@code dir} holds each seed, byte for byte, under its name (or writes them first, on request). */
    public static void assertCommitted(Path dir, Map<String, byte[]> seeds) throws IOException {
        boolean write = Boolean.getBoolean("fuzz.writeSeeds");
        if (write) {
            Files.createDirectories(dir);
        }
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Path file = dir.resolve(seed.getKey());
            if (write) {
                Files.write(file, seed.getValue());
            }
            assertTrue(Files.isRegularFile(file), file + " is missing: run with -Dfuzz.writeSeeds=true");
            assertArrayEquals(seed.getValue(), Files.readAllBytes(file),
                    file + " is out of date: run with -Dfuzz.writeSeeds=true");
        }
    }
}
