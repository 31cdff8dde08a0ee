package io.github.chatserver.server.admin;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/** Registers a user for authMode password; the password is typed at the console, masked. */
@Command(scope = "chat", name = "user-add",
        description = "Registers a chat user (authMode=password). The password is read from the console without echo.")
@Service
public class UserAddCommand implements Action {

    @Argument(index = 0, name = "uuid", description = "The user's uuid, as its client sends it in login field 1",
            required = true, multiValued = false)
    String uuid;

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        Passwords.setNew(session, admin, uuid, password -> admin.addUser(uuid, password), "User " + uuid + " added.");
        return null;
    }
}
