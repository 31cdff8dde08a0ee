package io.github.chatserver.server.admin;

import io.github.chatserver.server.storage.GroupRecord;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;

/** One group in detail: name, owner, creation, members (and which of them are online here). */
@Command(scope = "chat", name = "group", description = "Shows a group: name, owner, creation time and members.")
@Service
public class GroupCommand implements Action {

    @Argument(index = 0, name = "id", description = "The group id (22 characters, as in chat:groups)", required = true, multiValued = false)
    @Completion(GroupCompleter.class)
    String id;

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        GroupRecord group = admin.group(id);
        ShellTable table = new ShellTable();
        table.column("Property");
        table.column("Value");
        table.addRow().addContent("Id", group.id());
        table.addRow().addContent("Name", group.name());
        table.addRow().addContent("Owner", group.owner());
        table.addRow().addContent("Created (UTC)", Formats.time(group.createdAt() * 1000));
        table.addRow().addContent("Members", group.members().size());
        List<String> members = group.members().stream().sorted().toList();
        for (String member : members) {
            table.addRow().addContent("", member + (member.equals(group.owner()) ? " (owner)" : ""));
        }
        table.print(session.getConsole());
        return null;
    }
}
