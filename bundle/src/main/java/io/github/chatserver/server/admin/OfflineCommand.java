package io.github.chatserver.server.admin;

import io.github.chatserver.server.storage.ConsoleQueries.QueueSummary;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;

/** How many messages wait for a user, and how old the oldest and newest are. */
@Command(scope = "chat", name = "offline",
        description = "Shows how many one-to-one and group messages are stored for a user, and when the oldest and newest were sent.")
@Service
@Parsing(ChatArgumentsParser.class) // user names with spaces complete quoted
public class OfflineCommand implements Action {

    @Argument(index = 0, name = "uuid", description = "The user the messages are for", required = true, multiValued = false)
    @Completion(UserCompleter.class)
    String uuid;

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        OfflineSummary summary = admin.offline(uuid);
        ShellTable table = new ShellTable();
        table.column("Queue");
        table.column("Messages").alignRight();
        table.column("Oldest (UTC)");
        table.column("Age").alignRight();
        table.column("Newest (UTC)");
        table.column("Age").alignRight();
        row(table, "one-to-one", summary.c2c());
        row(table, "group", summary.group());
        table.print(session.getConsole());
        return null;
    }

    private static void row(ShellTable table, String name, QueueSummary queue) {
        long oldest = queue.count() == 0 ? 0 : queue.oldestAcceptedAtMillis();
        long newest = queue.count() == 0 ? 0 : queue.newestAcceptedAtMillis();
        table.addRow().addContent(name, queue.count(), Formats.time(oldest), Formats.ageOf(oldest),
                Formats.time(newest), Formats.ageOf(newest));
    }
}
