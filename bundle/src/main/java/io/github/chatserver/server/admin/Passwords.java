package io.github.chatserver.server.admin;

import io.github.chatserver.server.config.AuthSettings;
import java.io.IOException;
import java.util.Arrays;
import org.apache.karaf.shell.api.console.Session;

/** Reads a new password at the console: masked, twice. Never from an argument, never logged. */
final class Passwords {
    private Passwords() {
    }

    static char[] readNew(Session session, String uuid) throws IOException {
        String first = session.readLine("New password for " + uuid + ": ", '*');
        String second = first == null ? null : session.readLine("Repeat the password: ", '*');
        if (first == null || second == null) {
            throw new IllegalArgumentException("No password given");
        }
        char[] a = first.toCharArray();
        char[] b = second.toCharArray();
        try {
            if (!Arrays.equals(a, b)) {
                throw new IllegalArgumentException("The passwords differ; nothing was changed");
            }
            return a.clone();
        } finally {
            Arrays.fill(a, '\0');
            Arrays.fill(b, '\0');
        }
    }

    /** What a command does with the new password; it must not keep the array. */
    interface Use {
        void accept(char[] password) throws Exception;
    }

    /**
     * The body of the password commands: reads a new password, hands it to {@code use}, wipes it,
     * then prints {@code done} and, when password mode is not on, a note saying so.
     */
    static void setNew(Session session, ChatAdmin admin, String uuid, Use use, String done) throws Exception {
        char[] password = readNew(session, uuid);
        try {
            use.accept(password);
        } finally {
            Arrays.fill(password, '\0');
        }
        session.getConsole().println(done);
        noteMode(session, admin, AuthSettings.PASSWORD);
    }

    /** A line telling the operator when the configured mode does not use what the command changes. */
    static void noteMode(Session session, ChatAdmin admin, String usedBy) {
        if (!usedBy.equals(admin.authMode())) {
            session.getConsole().println("Note: authMode is " + admin.authMode() + "; this takes effect with authMode="
                    + usedBy + ".");
        }
    }
}
