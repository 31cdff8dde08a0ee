package io.github.chatserver.server.fuzz;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Notices what the server logs at ERROR (slf4j-simple writes each line with one {@code
 * println(String)} to {@code System.err}) and exceptions no thread caught. Handlers are meant to
 * turn every bad input into a counted protocol violation; an ERROR line or an uncaught exception
 * during a fuzz input is an exception that escaped them (ChatIoHandler's "Unexpected error",
 * PacketSequencer's "Unexpected error handling a packet", ...).
 */
final class ErrorWatch extends PrintStream {
    /** The server's own loggers only: the client library's MINA logs a broken pipe as ERROR, for one. */
    private static final Pattern ERROR_LINE = Pattern.compile("(^|\\] )ERROR io\\.github\\.chatserver\\.server\\.");

    private final PrintStream original;
    private final Thread.UncaughtExceptionHandler originalHandler;
    private final List<String> seen = new ArrayList<>();

    private ErrorWatch(PrintStream original) {
        super(original, true);
        this.original = original;
        this.originalHandler = Thread.getDefaultUncaughtExceptionHandler();
    }

    static ErrorWatch install() {
        ErrorWatch watch = new ErrorWatch(System.err);
        System.setErr(watch);
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            watch.record("uncaught exception in " + thread.getName() + ": " + e);
            e.printStackTrace(watch.original);
        });
        return watch;
    }

    void uninstall() {
        System.setErr(original);
        Thread.setDefaultUncaughtExceptionHandler(originalHandler);
    }

    private synchronized void record(String line) {
        if (seen.size() < 20) {
            seen.add(line);
        }
    }

    /** What was seen since the last call. */
    synchronized List<String> take() {
        List<String> lines = List.copyOf(seen);
        seen.clear();
        return lines;
    }

    @Override
    public void println(String line) {
        if (line != null && ERROR_LINE.matcher(line).find()) {
            record(line);
        }
        super.println(line);
    }

    @Override
    public void println(Object o) {
        println(String.valueOf(o));
    }
}
