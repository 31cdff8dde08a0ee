package io.github.chatserver.client.cli;

/**
 * The words of an interactive command: a first argument, quoted when it has spaces
 * ({@code "book club"} or {@code 'book club'}: user and group names may hold spaces), then the rest
 * of the line as it is (a message text). Quotes are not escapes: inside double quotes a name may
 * hold ', inside single quotes ".
 */
final class CommandWords {
    /** The first argument without its quotes, and the rest of the line without the spaces before it. */
    record Split(String first, String rest) {
    }

    private CommandWords() {
    }

    /**
     * Splits the arguments of a command (the line after the command word).
     *
     * @throws IllegalArgumentException if the first argument opens a quote that is not closed
     */
    static Split firstAndRest(String arguments) {
        String args = arguments.stripLeading();
        if (args.isEmpty()) {
            return new Split("", "");
        }
        char quote = args.charAt(0);
        if (quote == '"' || quote == '\'') {
            int end = args.indexOf(quote, 1);
            if (end < 0) {
                throw new IllegalArgumentException("missing closing " + quote + " after " + args);
            }
            return new Split(args.substring(1, end), args.substring(end + 1).stripLeading());
        }
        int space = 0;
        while (space < args.length() && !Character.isWhitespace(args.charAt(space))) {
            space++;
        }
        return new Split(args.substring(0, space), args.substring(space).stripLeading());
    }

    /** A whole argument without the quotes around it, if it has them ({@code /group join "book club"}). */
    static String unquoted(String argument) {
        String a = argument.strip();
        if (a.length() >= 2 && (a.charAt(0) == '"' || a.charAt(0) == '\'') && a.charAt(a.length() - 1) == a.charAt(0)) {
            return a.substring(1, a.length() - 1);
        }
        return a;
    }
}
