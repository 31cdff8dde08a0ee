package io.github.chatserver.client.cli;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbGroupInfo;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyDisbandGroup;
import io.github.chatserver.protocol.PbServerNotifyJoinGroup;
import io.github.chatserver.protocol.PbServerNotifyLeaveGroup;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.protocol.PbServerResponseGroupInfo;
import io.github.chatserver.protocol.PbServerResponseGroupOfflineMsg;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prints what the server sends as it arrives, on a thread of its own, and remembers the group
 * names it sees so {@code /g} can take a name instead of an id.
 */
final class Incoming {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final ChatClient client;
    private final String me;
    private final PrintStream out;
    private final Thread thread;
    private final Map<String, String> groupNames = new ConcurrentHashMap<>();
    private final Set<String> leaving = ConcurrentHashMap.newKeySet();
    private final AtomicInteger chatMessages = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();
    private volatile boolean stopped;
    private volatile boolean loggingOut;
    private volatile boolean closed;
    private volatile long lastArrival = System.nanoTime();
    private final ZoneId zone = ZoneId.systemDefault();

    Incoming(ChatClient client, String me, PrintStream out) {
        this.client = client;
        this.me = me;
        this.out = out;
        this.thread = new Thread(this::loop, "chat-cli-incoming");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopped = true;
        thread.interrupt();
    }

    private void loop() {
        try {
            while (!stopped) {
                Packet p = client.poll(Duration.ofMillis(100));
                if (p != null) {
                    lastArrival = System.nanoTime();
                    print(p);
                } else if (!client.isConnected()) {
                    // drain what came before the close, then report it
                    for (Packet rest = client.poll(Duration.ZERO); rest != null; rest = client.poll(Duration.ZERO)) {
                        print(rest);
                    }
                    closed = true;
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void print(Packet p) {
        switch (p.type()) {
            case C2C_TEXT_CHAT -> {
                PbC2CTextChat m = p.body(PbC2CTextChat.class);
                chat(m.getTimestamp(), "", m.getFromUuid(), m.getTextMsg());
            }
            case SERVER_RESPONSE_C2C_OFFLINE_MSG -> {
                PbServerResponseC2COfflineMsg m = p.body(PbServerResponseC2COfflineMsg.class);
                chat(m.getTimestamp(), "(offline) ", m.getFromUuid(), m.getTextMsg());
            }
            case GROUP_TEXT_CHAT -> {
                PbGroupTextChat m = p.body(PbGroupTextChat.class);
                chat(m.getTimestamp(), "[" + group(m.getGroupId()) + "] ", m.getFromUuid(), m.getTextMsg());
            }
            case SERVER_RESPONSE_GROUP_OFFLINE_MSG -> {
                PbServerResponseGroupOfflineMsg m = p.body(PbServerResponseGroupOfflineMsg.class);
                chat(m.getTimestamp(), "(offline) [" + group(m.getGroupId()) + "] ", m.getFromUuid(), m.getTextMsg());
            }
            case SERVER_NOTIFY_BUILD_GROUP -> {
                PbServerNotifyBuildGroup m = p.body(PbServerNotifyBuildGroup.class);
                if (m.getBuild()) {
                    groupNames.put(m.getGroupId(), m.getGroupName());
                    notice(m.getTimestamp(), "group created: " + m.getGroupId() + " \"" + m.getGroupName() + "\"");
                } else {
                    refused(m.getTimestamp(), "group \"" + m.getGroupName() + "\" not created: " + m.getTipsMsg());
                }
            }
            case SERVER_NOTIFY_DISBAND_GROUP -> {
                PbServerNotifyDisbandGroup m = p.body(PbServerNotifyDisbandGroup.class);
                if (m.getDisband()) {
                    notice(m.getTimestamp(), "group disbanded: " + m.getGroupId() + " \"" + m.getGroupName() + "\"");
                    groupNames.remove(m.getGroupId());
                } else {
                    leaving.remove(m.getGroupId());
                    refused(m.getTimestamp(), "refused for group " + m.getGroupId() + ": " + m.getTipsMsg());
                }
            }
            case SERVER_NOTIFY_JOIN_GROUP -> {
                PbServerNotifyJoinGroup m = p.body(PbServerNotifyJoinGroup.class);
                groupNames.put(m.getGroupId(), m.getGroupName());
                notice(m.getTimestamp(), (m.getApplicantUuid().equals(me) ? "you" : m.getApplicantUuid())
                        + " joined group " + m.getGroupId() + " \"" + m.getGroupName() + "\"");
            }
            case SERVER_NOTIFY_LEAVE_GROUP -> {
                PbServerNotifyLeaveGroup m = p.body(PbServerNotifyLeaveGroup.class);
                if (!m.getLeaverUuid().equals(me)) {
                    notice(m.getTimestamp(), m.getLeaverUuid() + " left group " + m.getGroupId() + " \"" + m.getGroupName() + "\"");
                } else if (leaving.remove(m.getGroupId())) {
                    groupNames.remove(m.getGroupId());
                    notice(m.getTimestamp(), "you left group " + m.getGroupId() + " \"" + m.getGroupName() + "\"");
                } else {
                    // docs/PROTOCOL.md §4, Groups: a refused join, leave or group text is answered as "you left"
                    refused(m.getTimestamp(), "you are not in group " + m.getGroupId()
                            + (m.getGroupName().isEmpty() ? " (or it does not exist)" : " \"" + m.getGroupName() + "\""));
                }
            }
            case SERVER_RESPONSE_GROUP_INFO -> {
                PbServerResponseGroupInfo m = p.body(PbServerResponseGroupInfo.class);
                StringBuilder sb = new StringBuilder("your groups: " + m.getAllGroupInfoCount());
                for (PbGroupInfo g : m.getAllGroupInfoList()) {
                    groupNames.put(g.getGroupId(), g.getGroupName());
                    sb.append(System.lineSeparator()).append("  ").append(g.getGroupId()).append(" \"")
                            .append(g.getGroupName()).append("\" owner ").append(g.getOwnerUuid())
                            .append(", members: ").append(g.getMemberUuidCount() == 0 ? "-" : String.join(", ", g.getMemberUuidList()));
                }
                notice(m.getTimestamp(), sb.toString());
            }
            default -> notice(0, "packet " + p.type() + ": " + p.body().toString().replace('\n', ' ').strip());
        }
    }

    private void chat(long timestamp, String where, String from, String text) {
        chatMessages.incrementAndGet();
        out.println("[" + time(timestamp) + "] " + where + from + ": " + text);
    }

    private void notice(long timestamp, String text) {
        out.println("[" + time(timestamp) + "] * " + text);
    }

    private void refused(long timestamp, String text) {
        refusals.incrementAndGet();
        out.println("[" + time(timestamp) + "] ! " + text);
    }

    private String group(String id) {
        String name = groupNames.get(id);
        return name == null ? id : name + " " + id;
    }

    private String time(long epochSeconds) {
        Instant at = epochSeconds > 0 ? Instant.ofEpochSecond(epochSeconds) : Instant.now();
        ZonedDateTime t = at.atZone(zone);
        return t.toLocalDate().equals(LocalDate.now(zone)) ? TIME.format(t) : DATE_TIME.format(t);
    }

    /** The id of a group given by id, or by a name seen in this session if exactly one group has it. */
    String resolveGroup(String idOrName) {
        if (ChatCli.GROUP_ID.matcher(idOrName).matches()) {
            return idOrName;
        }
        String found = null;
        for (Map.Entry<String, String> e : groupNames.entrySet()) {
            if (e.getValue().equals(idOrName)) {
                if (found != null) {
                    return null; // ambiguous
                }
                found = e.getKey();
            }
        }
        return found;
    }

    /** Starts the quiet period of {@link #awaitQuiet} now (e.g. when a request was sent). */
    void touch() {
        lastArrival = System.nanoTime();
    }

    void expectLeave(String groupId) {
        leaving.add(groupId);
    }

    void loggingOut() {
        loggingOut = true;
    }

    /** Whether the connection ended without this client asking for it. */
    boolean closedByServer() {
        return closed && !loggingOut;
    }

    int chatMessages() {
        return chatMessages.get();
    }

    int refusals() {
        return refusals.get();
    }

    /** Waits for the given time, or less if the connection closes. */
    void awaitClosed(Duration time) throws InterruptedException {
        long deadline = System.nanoTime() + time.toNanos();
        while (!closed && System.nanoTime() < deadline) {
            Thread.sleep(Math.min(50, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    /** Waits until nothing arrived for {@code quiet}, at most {@code max}. */
    void awaitQuiet(Duration quiet, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!closed && System.nanoTime() < deadline && System.nanoTime() - lastArrival < quiet.toNanos()) {
            Thread.sleep(20);
        }
    }
}
