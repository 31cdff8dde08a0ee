package io.github.chatserver.server.admin;

import java.util.Arrays;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Parser;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.parsing.CommandLineImpl;
import org.apache.karaf.shell.support.parsing.DefaultParser;

/**
 * The console parser of the commands that complete user names ({@link Parsing}): Karaf's own,
 * except that the word being completed ends at the cursor, and after a space is a new, empty one. With a command parser of its own, the
 * Karaf 4.4 console hands the completers the word as typed, quotes included, and inserts their
 * candidates as they are ({@link ShellQuoting} quotes them). Its default path does not work for
 * names with spaces: the Gogo line escapes a candidate holding a space with an index error, and
 * any word after an opening quote fails JLine's matching the same way; either drops the
 * operator's line.
 */
@Service
public class ChatArgumentsParser implements Parser {
    private final DefaultParser karaf = new DefaultParser();

    @Override
    public CommandLine parse(Session session, String command, int cursor) {
        CommandLine line = karaf.parse(session, command, cursor);
        String[] arguments = line.getArguments();
        if (cursor > command.length()) {
            // Completing after a space: Karaf passes the statement without it, so the cursor is past
            // its end. The word being completed is a new, empty one (Karaf would take the command name).
            String[] withEmpty = Arrays.copyOf(arguments, arguments.length + 1);
            withEmpty[arguments.length] = "";
            return new CommandLineImpl(withEmpty, arguments.length, 0, cursor, line.getBuffer());
        }
        int index = line.getCursorArgumentIndex();
        int position = line.getArgumentPosition();
        if (cursor > line.getBuffer().length() || index < 0 || index >= arguments.length
                || position >= arguments[index].length()) {
            return line; // running the command, or the cursor at the end of a word: nothing to cut
        }
        // What follows the cursor was not typed as part of this word: with a quote still open it is
        // the closing quote Karaf added to parse the line, which the line editor must not replace.
        String[] typed = arguments.clone();
        typed[index] = arguments[index].substring(0, position);
        return new CommandLineImpl(typed, index, position, line.getBufferPosition(), line.getBuffer());
    }

    @Override
    public String preprocess(Session session, CommandLine line) {
        return karaf.preprocess(session, line);
    }
}
