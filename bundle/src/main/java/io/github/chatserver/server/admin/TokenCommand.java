package io.github.chatserver.server.admin;

import io.github.chatserver.server.config.AuthSettings;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/** Prints a login token, as the application backend would issue it (for tests and support). */
@Command(scope = "chat", name = "token",
        description = "Prints a login token (uuid.expiry.signature) for authMode=token, signed with tokenSecret.")
@Service
public class TokenCommand implements Action {

    @Argument(index = 0, name = "uuid", description = "The user the token is for (login field 1)",
            required = true, multiValued = false)
    String uuid;

    @Argument(index = 1, name = "ttl-seconds", description = "Seconds the token stays valid; default 3600, at most 366 days",
            required = false, multiValued = false)
    long ttlSeconds = 3600;

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        String token = admin.mintToken(uuid, ttlSeconds);
        Passwords.noteMode(session, admin, AuthSettings.TOKEN);
        session.getConsole().println(token);
        return null;
    }
}
