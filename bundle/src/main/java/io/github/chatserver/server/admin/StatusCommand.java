package io.github.chatserver.server.admin;

import java.time.Instant;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;

/** The running server at a glance: listeners, node, Redis, connections, uptime, version. */
@Command(scope = "chat", name = "status",
        description = "Shows the chat server's listeners, node id, Redis reachability and PING latency, connections now and at peak, uptime and version.")
@Service
public class StatusCommand implements Action {

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        ServerStatus status = admin.status();
        ShellTable table = new ShellTable();
        table.column("Property");
        table.column("Value");
        for (String listener : status.listeners()) {
            table.addRow().addContent("Listener", listener);
        }
        table.addRow().addContent("Node id", status.nodeId());
        table.addRow().addContent("Redis", status.redisAddress() + (status.redisLatency() != null
                ? " (up, PING " + Formats.millis(status.redisLatency()) + ")"
                : " (DOWN: " + status.redisError() + ")"));
        table.addRow().addContent("Connections", status.connections() + " now, " + status.peakConnections() + " at peak");
        table.addRow().addContent("Logged in", status.sessions() + " on this node");
        table.addRow().addContent("Uptime", Formats.age(status.uptime(Instant.now())) + " (since "
                + Formats.time(status.startedAt()) + ")");
        table.addRow().addContent("Version", status.version());
        table.print(session.getConsole());
        return null;
    }
}
