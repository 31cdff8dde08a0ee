package io.github.chatserver.server.admin;

import java.util.List;
import java.util.function.Function;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the completers share: candidates for the prefix typed so far, quoted as the operator
 * started the word ({@link ShellQuoting}), and no error if the server cannot say.
 */
final class Completions {
    private static final Logger LOG = LoggerFactory.getLogger(Completions.class);
    static final int MAX_CANDIDATES = 50;

    private Completions() {
    }

    /** Completes the cursor argument from {@code source(prefix)}, the prefix without quotes. */
    static int complete(Session session, CommandLine commandLine, List<String> candidates,
                        Function<String, List<String>> source, String what) {
        String typed = typedSoFar(commandLine);
        String prefix = ShellQuoting.literal(typed);
        List<String> names;
        try {
            names = source.apply(prefix);
        } catch (RuntimeException e) {
            LOG.debug("No {} completion: {}", what, e.toString()); // completion is a convenience; the command reports errors
            return -1;
        }
        names.stream().filter(name -> name.startsWith(prefix)).sorted().map(name -> ShellQuoting.quoted(name, typed))
                .filter(candidate -> candidate != null && candidate.startsWith(typed))
                .forEach(candidate -> candidates.add(candidate + " ")); // the space: a complete word
        return candidates.isEmpty() ? -1 : commandLine.getBufferPosition() - commandLine.getArgumentPosition();
    }

    /**
     * The cursor argument up to the cursor. Without a command parser ({@link ChatArgumentsParser})
     * Karaf counts the position in a quoted word with its quote, one past the unquoted word.
     */
    private static String typedSoFar(CommandLine commandLine) {
        String argument = commandLine.getCursorArgument();
        return argument == null ? "" : argument.substring(0, Math.min(commandLine.getArgumentPosition(), argument.length()));
    }
}
