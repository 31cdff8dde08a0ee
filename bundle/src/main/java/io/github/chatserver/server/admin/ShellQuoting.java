package io.github.chatserver.server.admin;

/**
 * How a user name is written on the Karaf 4.4 console, for the completers: what the operator typed
 * so far means, and how a candidate must be quoted so that the command receives the name exactly.
 * Two layers read a console line. The line editor (JLine) first takes one level of backslashes
 * from the whole line, quotes or not; then the Gogo parser splits words at white space and shell
 * characters, keeps single-quoted text literal and expands {@code $} and backslashes inside
 * double quotes. So a name is safest in single quotes with its backslashes doubled. A name with
 * an apostrophe cannot be typed at all (Gogo 1.1 refuses a ' even inside double quotes): it is
 * never offered.
 */
final class ShellQuoting {
    /** Characters that end, split or change an unquoted word for Gogo (besides white space). */
    private static final String SPECIAL = "\"'\\$;|&<>(){}[]#=`";

    private ShellQuoting() {
    }

    /** The text an operator typed so far for an argument, without its quotes and backslash escapes. */
    static String literal(String typed) {
        StringBuilder out = new StringBuilder(typed.length());
        char quote = 0;
        for (int i = 0; i < typed.length(); i++) {
            char c = typed.charAt(i);
            if (c == '\\' && i + 1 < typed.length()) {
                out.append(typed.charAt(++i));
            } else if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The completion of {@code name} in the quoting the operator started the word with: inside the
     * double or single quotes they opened, or, unquoted, as it is when it needs no quotes, else in
     * single quotes: all of it when nothing was typed yet, else the part from its first special
     * character ({@code hello,' 我是一个java程序'}, so that it still starts with what was typed). {@code null} if the name cannot be written so:
     * then the operator opens a quote first.
     */
    static String quoted(String name, String typed) {
        if (name.indexOf('\'') >= 0) {
            return null;
        }
        char opened = typed.isEmpty() ? 0 : typed.charAt(0);
        if (opened == '"') {
            boolean plain = name.indexOf('"') < 0 && name.indexOf('\\') < 0 && name.indexOf('$') < 0;
            return plain ? '"' + name + '"' : null;
        }
        if (opened == '\'') {
            return "'" + backslashesDoubled(name) + "'";
        }
        int first = firstSpecial(name);
        if (first < 0) {
            return name;
        }
        if (typed.isEmpty()) {
            return "'" + backslashesDoubled(name) + "'";
        }
        String tail = name.substring(first);
        if (tail.indexOf(';') >= 0 || tail.indexOf('|') >= 0) {
            return null; // Karaf splits statements at ; and | inside a quote that starts mid-word
        }
        return name.substring(0, first) + "'" + backslashesDoubled(tail) + "'";
    }

    private static int firstSpecial(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || SPECIAL.indexOf(c) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static String backslashesDoubled(String text) {
        return text.replace("\\", "\\\\");
    }
}
