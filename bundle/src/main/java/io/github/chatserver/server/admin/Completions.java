package io.github.chatserver.server.admin;

import java.util.List;
import java.util.function.Function;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the completers share: candidates by the prefix typed so far, and no error if the server cannot say. */
final class Completions {
    private static final Logger LOG = LoggerFactory.getLogger(Completions.class);
    static final int MAX_CANDIDATES = 50;

    private Completions() {
    }

    /** Completes the cursor argument from {@code source(prefix)}. */
    static int complete(Session session, CommandLine commandLine, List<String> candidates,
                        Function<String, List<String>> source, String what) {
        String argument = commandLine.getCursorArgument();
        String prefix = argument == null ? "" : argument.substring(0, commandLine.getArgumentPosition());
        StringsCompleter delegate = new StringsCompleter();
        try {
            delegate.getStrings().addAll(source.apply(prefix));
        } catch (RuntimeException e) {
            LOG.debug("No {} completion: {}", what, e.toString()); // completion is a convenience; the command reports errors
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
