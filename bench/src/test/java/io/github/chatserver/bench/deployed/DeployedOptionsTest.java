package io.github.chatserver.bench.deployed;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeployedOptionsTest {
    private static final String[] PATHS = {"--run-dir", "/tmp/r", "--gobench", "/t/gobench", "--relaylimit", "/t/relaylimit",
            "--bench-jar", "/t/bench.jar"};

    private static DeployedOptions parse(String... more) {
        String[] all = new String[PATHS.length + more.length];
        System.arraycopy(PATHS, 0, all, 0, PATHS.length);
        System.arraycopy(more, 0, all, PATHS.length, more.length);
        return DeployedOptions.parse(all);
    }

    @Test
    void defaultsAreIssue16sShapes() {
        DeployedOptions o = parse();
        assertEquals(List.of(Shape.values()), o.shapes);
        assertEquals(List.of(Generator.GOBENCH, Generator.BENCH), o.generators);
        assertEquals(3, o.runs);
        assertEquals(10, o.seconds);
        assertEquals(5, o.warmup);
        assertEquals(200, o.pingpongConns);
        assertEquals(10, o.pingpongInflight);
        assertEquals(1000, o.pingpong1kConns);
        assertEquals(1000, o.fanoutMembers);
        assertEquals(Path.of("/tmp/r"), o.runDir);
    }

    @Test
    void shapesGeneratorsSizesAndSettings() {
        DeployedOptions o = parse("--shapes", "open50k,pingpong", "--generators=bench", "--runs", "5", "--seconds", "3",
                "--warmup", "0", "--pingpong-conns", "40", "--set", "ioThreads=1", "--set", "idleTimeout = 600", "--port", "19000");
        assertEquals(List.of(Shape.OPEN50K, Shape.PINGPONG), o.shapes);
        assertEquals(List.of(Generator.BENCH), o.generators);
        assertEquals(5, o.runs);
        assertEquals(3, o.seconds);
        assertEquals(0, o.warmup);
        assertEquals(40, o.pingpongConns);
        assertEquals(Map.of("ioThreads", "1", "idleTimeout", "600"), o.settings);
        assertEquals(19000, o.port);
    }

    @Test
    void refusesWhatCannotRun() {
        assertMessage("unknown shape 'pong'", "--shapes", "pong");
        assertMessage("unknown generator 'wrk'", "--generators", "wrk");
        assertMessage("--pingpong-conns must be even", "--pingpong-conns", "41");
        assertMessage("--runs must be within 1..100", "--runs", "0");
        assertMessage("--seconds needs a number, not 'ten'", "--seconds", "ten");
        assertMessage("--set needs KEY=VALUE", "--set", "ioThreads");
        assertMessage("unknown option '--verbose'", "--verbose");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeployedOptions.parse("--runs", "2"));
        assertTrue(e.getMessage().contains("--run-dir is required"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DeployedOptions.parse("--run-dir", "/r", "--relaylimit", "/r",
                "--bench-jar", "/b"));
        assertTrue(e.getMessage().contains("--gobench is required"), e.getMessage());
        // without gobench among the generators, its path is not needed
        assertEquals(List.of(Generator.BENCH), DeployedOptions.parse("--run-dir", "/r", "--relaylimit", "/r", "--bench-jar", "/b",
                "--generators", "bench").generators);
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void helpNeedsNoPaths() {
        assertTrue(DeployedOptions.parse("--help").help);
    }

    @Test
    void usageErrorsAndHelpFromTheMain() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertEquals(DeployedBench.USAGE, DeployedBench.run(new String[] {"--runs", "x"}, new java.io.PrintStream(out, true)));
        assertTrue(out.toString().contains("--runs needs a number"), out.toString());
        out.reset();
        assertEquals(DeployedBench.OK, DeployedBench.run(new String[] {"--help"}, new java.io.PrintStream(out, true)));
        assertTrue(out.toString().contains("--shapes LIST"), out.toString());
    }
}
