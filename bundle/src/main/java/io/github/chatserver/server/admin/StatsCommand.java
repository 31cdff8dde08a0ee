package io.github.chatserver.server.admin;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;

/** Every counter, with its rate since the previous chat:stats. */
@Command(scope = "chat", name = "stats",
        description = "Shows the chat server's counters (logins, messages, group deliveries, protocol violations by kind, Redis errors, ...) and their rates per second since the previous chat:stats.")
@Service
public class StatsCommand implements Action {

    @Option(name = "--all", aliases = "-a", description = "Also the counters that are still 0", required = false, multiValued = false)
    boolean all;

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        StatsReport report = admin.stats();
        ShellTable table = new ShellTable();
        table.column("Counter");
        table.column("Total").alignRight();
        table.column("Per second").alignRight();
        table.emptyTableText("Every counter is 0 (--all lists them)");
        for (StatsReport.Line line : report.lines()) {
            if (all || line.total() != 0) {
                table.addRow().addContent(line.name(), line.total(), Formats.rate(line.perSecond()));
            }
        }
        table.print(session.getConsole());
        session.getConsole().println("Rates over the last " + Formats.age(report.interval())
                + (report.sinceStart() ? " (since the server started)" : " (since the previous chat:stats)") + ".");
        return null;
    }
}
