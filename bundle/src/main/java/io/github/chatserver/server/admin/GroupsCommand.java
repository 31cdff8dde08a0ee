package io.github.chatserver.server.admin;

import io.github.chatserver.server.storage.GroupRecord;
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

/** A user's groups, or some groups found by a bounded scan. */
@Command(scope = "chat", name = "groups",
        description = "Lists the groups of a user (--user), or without it at most --limit groups found by a SCAN of Redis.")
@Service
@Parsing(ChatArgumentsParser.class) // user names with spaces complete quoted
public class GroupsCommand implements Action {
    static final int MAX_LIMIT = 1000;

    @Option(name = "--user", aliases = "-u", description = "The groups this user belongs to", required = false, multiValued = false)
    @Completion(OnlineUserCompleter.class)
    String user;

    @Option(name = "--limit", aliases = "-l", description = "Without --user: how many groups to list at most (default 50, at most 1000)",
            required = false, multiValued = false)
    int limit = 50;

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("--limit must be within 1.." + MAX_LIMIT + ", not " + limit);
        }
        List<GroupRecord> groups = user == null ? admin.scanGroups(limit) : admin.groupsOf(user);
        ShellTable table = new ShellTable();
        table.column("Id");
        table.column("Name");
        table.column("Owner");
        table.column("Created (UTC)");
        table.column("Members").alignRight();
        table.emptyTableText(user == null ? "No group found" : user + " is in no group");
        for (GroupRecord g : groups) {
            table.addRow().addContent(g.id(), g.name(), g.owner(), Formats.time(g.createdAt() * 1000), g.members().size());
        }
        table.print(session.getConsole());
        if (user == null) {
            session.getConsole().println(groups.size() + " group(s) from a SCAN of chat:group:{*}, at most " + limit
                    + "; not necessarily all.");
        }
        return null;
    }
}
