package io.github.chatserver.client.cli;

import com.google.protobuf.Message;
import io.github.chatserver.client.ChatClient;
import io.github.chatserver.client.ClientTls;
import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientDisbandGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbClientLeaveGroup;
import io.github.chatserver.protocol.PbClientLogout;
import io.github.chatserver.protocol.PbClientPing;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbClientRequestGroupInfo;
import io.github.chatserver.protocol.PbClientRequestGroupOfflineMsg;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * A command-line chat client: interactive ({@code /msg}, {@code /group}, {@code /g},
 * {@code /offline}, {@code /quit}) or, for scripts, one send and/or a timed listen with a
 * meaningful exit status. See {@link CliOptions#USAGE}.
 */
public final class ChatCli {
    public static final int OK = 0;
    public static final int INTERNAL_ERROR = 1;
    public static final int USAGE = 2;
    public static final int CANNOT_CONNECT = 3;
    public static final int LOGIN_REFUSED = 4;
    public static final int CONNECTION_CLOSED = 5;
    public static final int TOO_FEW_MESSAGES = 6;
    public static final int REFUSED = 7;

    /** docs/PROTOCOL.md §4: group ids are 22 URL-safe base64 characters; anything else closes the connection. */
    static final Pattern GROUP_ID = Pattern.compile("[A-Za-z0-9_-]{22}");

    static final String HELP = """
            commands:
              /msg <user> <text>          send a one-to-one message
              /g <group> <text>           send to a group (its id, or a name this session has seen)
              /group create <name>        build a group (you are its owner)
              /group join <id>            join a group (by id, or a name this session has seen)
              /group leave <id>           leave a group (owners can only disband)
              /group disband <id>         disband a group you own
              a user or group name with spaces goes in quotes: /msg "张 三" hi, /g "book club" hi
              /group info                 list your groups and their members
              /offline                    fetch your stored one-to-one and group messages
              /help                       this list
              /quit                       log out and exit""";

    private final CliOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private ChatClient client;
    private Incoming incoming;

    private ChatCli(CliOptions options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // MINA logs through SLF4J; the CLI jar bundles slf4j-simple: only warnings, on stderr
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
            // a refused certificate is reported by the CLI itself; MINA would add a stack trace
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.mina.filter.ssl", "off");
        }
        System.exit(run(args, System.in, System.out, System.err, System.getenv()));
    }

    /** Runs the CLI on the given streams and returns its exit status (tests call this directly). */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        CliOptions options;
        try {
            options = CliOptions.parse(args, env);
        } catch (CliOptions.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("try --help");
            return USAGE;
        }
        if (options.help) {
            out.print(CliOptions.USAGE);
            return OK;
        }
        ChatCli cli = new ChatCli(options, out, err);
        try {
            int status = cli.connectAndLogin();
            if (status != OK) {
                return status;
            }
            return options.nonInteractive() ? cli.runOnce() : cli.interactive(in);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return INTERNAL_ERROR;
        } catch (RuntimeException e) {
            err.println("error: " + e);
            return INTERNAL_ERROR;
        } finally {
            cli.close();
        }
    }

    private int connectAndLogin() throws InterruptedException {
        BodyCipher cipher = BodyCipher.forMode(options.cipherMode(), options.cipherKey);
        ClientTls tls = null;
        if (options.tls) {
            try {
                tls = options.insecure ? ClientTls.insecure()
                        : options.truststore != null ? ClientTls.trusting(options.truststore, options.truststorePassword)
                        : ClientTls.systemDefault();
            } catch (IOException | GeneralSecurityException e) {
                err.println("error: cannot read truststore " + options.truststore + ": " + e.getMessage());
                return USAGE;
            }
        }
        try {
            client = ChatClient.connect(options.host, options.port, cipher, options.timeout, tls);
        } catch (IOException e) {
            err.println("error: " + e.getMessage() + (e.getCause() != null && e.getMessage().startsWith("Cannot connect")
                    ? ": " + e.getCause().getMessage() : ""));
            return CANNOT_CONNECT;
        }
        PbServerAcceptLogin answer;
        try {
            answer = client.login(options.user, options.secret, options.timeout);
        } catch (TimeoutException e) {
            err.println("error: no login answer: " + e.getMessage());
            return client.isConnected() ? CANNOT_CONNECT : CONNECTION_CLOSED;
        } catch (IllegalStateException e) {
            err.println("error: unexpected answer to login: " + e.getMessage());
            return INTERNAL_ERROR;
        }
        if (!answer.getLogin()) {
            err.println("error: login refused: " + answer.getTipsMsg());
            return LOGIN_REFUSED;
        }
        incoming = new Incoming(client, options.user, out);
        incoming.start();
        if (!options.nonInteractive()) {
            out.println("* logged in as " + options.user + " on " + options.host + ":" + options.port
                    + (client.isSecured() ? " (TLS)" : "") + "; /help lists the commands");
        }
        return OK;
    }

    private int runOnce() throws InterruptedException {
        if (options.offline) {
            requestOffline();
        }
        if (options.sendTo != null) {
            send(text(options.sendTo, options.text));
        }
        if (options.sendGroup != null) {
            send(groupText(options.sendGroup, options.text));
        }
        if (options.listen != null) {
            incoming.awaitClosed(options.listen);
        } else if (options.offline) {
            incoming.touch();
            incoming.awaitQuiet(Duration.ofSeconds(1), options.timeout); // no end marker: wait for silence
        } else {
            incoming.awaitClosed(Duration.ofMillis(300)); // room for a refusal to arrive
        }
        if (incoming.closedByServer()) {
            err.println("error: the server closed the connection");
            return CONNECTION_CLOSED;
        }
        logout();
        if (incoming.refusals() > 0) {
            return REFUSED;
        }
        if (options.expect >= 0 && incoming.chatMessages() < options.expect) {
            err.println("error: " + incoming.chatMessages() + " message(s) arrived, expected at least " + options.expect);
            return TOO_FEW_MESSAGES;
        }
        return OK;
    }

    private int interactive(InputStream in) throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // treated as end of input
            }
            lines.add(EOF);
        }, "chat-cli-stdin");
        reader.setDaemon(true);
        reader.start();
        long lastSent = System.nanoTime();
        while (true) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (incoming.closedByServer()) {
                err.println("error: the server closed the connection");
                return CONNECTION_CLOSED;
            }
            if (line == null) {
                if (System.nanoTime() - lastSent > options.pingInterval.toNanos()) {
                    send(PbClientPing.newBuilder().setPing(true).setTimestamp(ChatClient.now()).build());
                    lastSent = System.nanoTime();
                }
                continue;
            }
            if (line == EOF) {
                incoming.awaitClosed(options.linger); // let answers to the last commands arrive
                break;
            }
            Command result = execute(line.strip());
            if (result == Command.QUIT) {
                break;
            }
            if (result == Command.SENT) {
                lastSent = System.nanoTime();
            }
        }
        if (incoming.closedByServer()) {
            err.println("error: the server closed the connection");
            return CONNECTION_CLOSED;
        }
        logout();
        return OK;
    }

    private static final String EOF = new String("<eof>");

    enum Command { SENT, LOCAL, ERROR, QUIT }

    /** Runs one line of interactive input. */
    Command execute(String line) {
        if (line.isEmpty()) {
            return Command.LOCAL;
        }
        if (!line.startsWith("/")) {
            return error("not a command: lines start with a command, e.g. /msg <user> <text> (see /help)");
        }
        String[] words = line.split("\\s+", 2);
        String arguments = words.length > 1 ? words[1] : "";
        switch (words[0]) {
            case "/help":
                out.println(HELP);
                return Command.LOCAL;
            case "/quit":
            case "/exit":
                return Command.QUIT;
            case "/msg": {
                CommandWords.Split to = targetAndText(arguments,
                        "usage: /msg <user> <text> (a user name with spaces in quotes: /msg \"张 三\" hi)");
                return to == null ? Command.ERROR : send(text(to.first(), to.rest()));
            }
            case "/g": {
                CommandWords.Split to = targetAndText(arguments,
                        "usage: /g <group id or name> <text> (a name with spaces in quotes: /g \"book club\" hi)");
                if (to == null) {
                    return Command.ERROR;
                }
                String id = incoming.resolveGroup(to.first());
                if (id == null) {
                    return error("unknown group '" + to.first() + "': give its 22-character id or a name this session"
                            + " has seen (in quotes if it has spaces: /g \"book club\" hi), or run /group info first");
                }
                return send(groupText(id, to.rest()));
            }
            case "/offline":
                return requestOffline();
            case "/group":
                return group(line.split("\\s+", 3));
            default:
                return error("unknown command '" + words[0] + "' (see /help)");
        }
    }

    /** The recipient (first argument) and the text, or {@code null} after reporting what is missing. */
    private CommandWords.Split targetAndText(String arguments, String usage) {
        CommandWords.Split split;
        try {
            split = CommandWords.firstAndRest(arguments);
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
            return null;
        }
        if (split.first().isEmpty() || split.rest().isEmpty()) {
            error(usage);
            return null;
        }
        return split;
    }

    private Command group(String[] words) {
        String sub = words.length > 1 ? words[1] : "";
        String arg = words.length > 2 ? CommandWords.unquoted(words[2]) : "";
        long now = ChatClient.now();
        String me = options.user;
        switch (sub) {
            case "create":
                if (arg.isEmpty()) {
                    return error("usage: /group create <name>");
                }
                return send(PbClientBuildGroup.newBuilder().setGroupName(arg).setTimestamp(now).build());
            case "info":
                return send(PbClientRequestGroupInfo.newBuilder().setFromUuid(me).setTimestamp(now).build());
            case "join", "leave", "disband": {
                if (!GROUP_ID.matcher(arg).matches()) {
                    String known = incoming.resolveGroup(arg);
                    if (known == null) {
                        return error(arg.isEmpty() ? "usage: /group " + sub + " <id>"
                                : "'" + arg + "' is not a group id (22 characters A-Z a-z 0-9 - _)");
                    }
                    arg = known;
                }
                if (sub.equals("join")) {
                    return send(PbClientJoinGroup.newBuilder().setFromUuid(me).setGroupId(arg).setTimestamp(now).build());
                }
                if (sub.equals("leave")) {
                    incoming.expectLeave(arg);
                    return send(PbClientLeaveGroup.newBuilder().setFromUuid(me).setGroupId(arg).setTimestamp(now).build());
                }
                return send(PbClientDisbandGroup.newBuilder().setFromUuid(me).setGroupId(arg).setTimestamp(now).build());
            }
            default:
                return error("usage: /group create <name> | join <id> | leave <id> | disband <id> | info");
        }
    }

    private Command requestOffline() {
        long now = ChatClient.now();
        send(PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(options.user).setTimestamp(now).build());
        return send(PbClientRequestGroupOfflineMsg.newBuilder().setFromUuid(options.user).setTimestamp(now).build());
    }

    private PbC2CTextChat text(String to, String text) {
        return PbC2CTextChat.newBuilder().setFromUuid(options.user).setToUuid(to).setTextMsg(text)
                .setTimestamp(ChatClient.now()).build();
    }

    private PbGroupTextChat groupText(String groupId, String text) {
        return PbGroupTextChat.newBuilder().setFromUuid(options.user).setGroupId(groupId).setTextMsg(text)
                .setTimestamp(ChatClient.now()).build();
    }

    private Command send(Message message) {
        if (!client.isConnected()) {
            return error("not connected");
        }
        client.send(message);
        return Command.SENT;
    }

    private Command error(String message) {
        err.println("error: " + message);
        return Command.ERROR;
    }

    private void logout() throws InterruptedException {
        if (client.isConnected()) {
            incoming.loggingOut();
            client.send(PbClientLogout.newBuilder().setLogout(true).setTimestamp(ChatClient.now()).build());
            client.awaitClosed(Duration.ofSeconds(2));
        }
    }

    private void close() {
        if (incoming != null) {
            incoming.stop();
        }
        if (client != null) {
            client.close();
        }
    }
}
