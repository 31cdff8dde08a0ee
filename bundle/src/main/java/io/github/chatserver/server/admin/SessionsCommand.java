package io.github.chatserver.server.admin;

import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;

/** The logged-in sessions of this node with their traffic. */
@Command(scope = "chat", name = "sessions",
        description = "Lists the sessions logged in on this node: user, remote address, login time, packets and bytes in and out, bytes queued for the client.")
@Service
@Parsing(ChatArgumentsParser.class) // user names with spaces complete quoted
public class SessionsCommand implements Action {

    @Option(name = "--user", aliases = "-u", description = "Only the session of this user", required = false, multiValued = false)
    @Completion(OnlineUserCompleter.class)
    String user;

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        List<SessionInfo> sessions = admin.sessions(user);
        ShellTable table = new ShellTable();
        table.column("User");
        table.column("Remote");
        table.column("Since (UTC)");
        table.column("Pkts in").alignRight();
        table.column("Pkts out").alignRight();
        table.column("Bytes in").alignRight();
        table.column("Bytes out").alignRight();
        table.column("Queued").alignRight();
        table.emptyTableText(user == null ? "No session logged in on this node" : "No session of " + user + " on this node");
        for (SessionInfo s : sessions) {
            table.addRow().addContent(s.user(), s.remoteAddress() + (s.tls() ? " (TLS)" : ""),
                    Formats.time(s.loggedInAtMillis()), s.packetsIn(), s.packetsOut(), s.bytesIn(), s.bytesOut(),
                    s.queuedOutboundBytes());
        }
        table.print(session.getConsole());
        return null;
    }
}
