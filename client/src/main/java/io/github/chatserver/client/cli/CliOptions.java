package io.github.chatserver.client.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;

/** The command line of {@link ChatCli}, parsed and checked. */
final class CliOptions {
    static final String USAGE = """
            usage: chat-cli --user NAME [options]

            connection
              --host HOST              server address (default 127.0.0.1)
              --port PORT              server port (default 8989)
              --user NAME              the uuid to log in as (required)
              --password SECRET        password for a server in authMode=password (login field 4)
              --token TOKEN            token uuid.expiry.signature for authMode=token (login field 4)
                                       (or set CHAT_PASSWORD / CHAT_TOKEN, which keeps them out of ps)
              --tls                    connect with TLS (TLSv1.3/1.2); the body cipher is then none
              --truststore FILE        trust the certificates in FILE (PKCS12, JKS, or PEM/DER certificates);
                                       without it the JVM's default authorities are trusted
              --truststore-password P  password of a PKCS12/JKS truststore
              --insecure               with --tls: trust any certificate and host name (development only)
              --cipher MODE            body cipher: legacy-aes (default without TLS) or none (default with TLS)
              --cipher-key KEY         the 16-character legacy-aes key (default 12345abcdef67890)
              --timeout SECONDS        connect, handshake and login timeout (default 10)
              --ping-interval SECONDS  interactive: heartbeat after this long without sending (default 60)
              --linger MILLIS          interactive, at end of input: wait this long for answers (default 1000)

            non-interactive (for scripts): any of these runs once and exits
              --offline                print the stored one-to-one and group messages
              --send USER --text TEXT  send one message to USER
              --send-group GROUP_ID --text TEXT
                                       send one message to a group
              --listen SECONDS         then print what arrives for SECONDS
              --expect N               exit 6 unless at least N chat messages arrived (with --listen/--offline)

            interactive (default): type /help for the commands

            exit status: 0 ok, 1 internal error, 2 usage error, 3 cannot connect (or TLS handshake failed),
                         4 login refused, 5 connection closed by the server, 6 fewer messages than --expect,
                         7 the server refused a request
            """;

    String host = "127.0.0.1";
    int port = 8989;
    String user;
    String secret;
    boolean tls;
    Path truststore;
    char[] truststorePassword;
    boolean insecure;
    String cipher;
    String cipherKey = "12345abcdef67890";
    Duration timeout = Duration.ofSeconds(10);
    boolean offline;
    String sendTo;
    String sendGroup;
    String text;
    Duration listen;
    int expect = -1;
    boolean help;
    Duration pingInterval = Duration.ofSeconds(60);
    Duration linger = Duration.ofSeconds(1);

    boolean nonInteractive() {
        return offline || sendTo != null || sendGroup != null || listen != null;
    }

    /** The body cipher for these options: none over TLS, legacy-aes otherwise, unless given. */
    String cipherMode() {
        return cipher != null ? cipher : tls ? "none" : "legacy-aes";
    }

    static CliOptions parse(String[] args, Map<String, String> env) {
        CliOptions o = new CliOptions();
        Deque<String> rest = new ArrayDeque<>(Arrays.asList(args));
        String password = null;
        String token = null;
        while (!rest.isEmpty()) {
            String arg = rest.poll();
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "-h", "--help" -> o.help = true;
                case "--host" -> o.host = value(arg, value, rest);
                case "--port" -> o.port = intValue(arg, value(arg, value, rest), 1, 65535);
                case "-u", "--user" -> o.user = value(arg, value, rest);
                case "--password" -> password = value(arg, value, rest);
                case "--token" -> token = value(arg, value, rest);
                case "--tls" -> o.tls = true;
                case "--truststore" -> o.truststore = Path.of(value(arg, value, rest));
                case "--truststore-password" -> o.truststorePassword = value(arg, value, rest).toCharArray();
                case "--insecure" -> o.insecure = true;
                case "--cipher" -> o.cipher = value(arg, value, rest);
                case "--cipher-key" -> o.cipherKey = value(arg, value, rest);
                case "--timeout" -> o.timeout = Duration.ofSeconds(intValue(arg, value(arg, value, rest), 1, 3600));
                case "--offline" -> o.offline = true;
                case "--send" -> o.sendTo = value(arg, value, rest);
                case "--send-group" -> o.sendGroup = value(arg, value, rest);
                case "--text" -> o.text = value(arg, value, rest);
                case "--listen" -> o.listen = Duration.ofSeconds(intValue(arg, value(arg, value, rest), 0, 86_400));
                case "--expect" -> o.expect = intValue(arg, value(arg, value, rest), 0, Integer.MAX_VALUE);
                case "--ping-interval" -> o.pingInterval = Duration.ofSeconds(intValue(arg, value(arg, value, rest), 1, 86_400));
                case "--linger" -> o.linger = Duration.ofMillis(intValue(arg, value(arg, value, rest), 0, 3_600_000));
                default -> throw new UsageException("unknown option '" + arg + "'");
            }
        }
        if (o.help) {
            return o;
        }
        if (password == null && token == null) {
            password = env.get("CHAT_PASSWORD");
            token = env.get("CHAT_TOKEN");
        }
        if (password != null && token != null) {
            throw new UsageException("give either --password or --token, not both");
        }
        o.secret = password != null ? password : token;
        if (o.user == null || o.user.isBlank()) {
            throw new UsageException("--user is required");
        }
        if (!o.tls && (o.truststore != null || o.insecure)) {
            throw new UsageException("--truststore and --insecure need --tls");
        }
        if (o.insecure && o.truststore != null) {
            throw new UsageException("give either --truststore or --insecure, not both");
        }
        if (!"legacy-aes".equals(o.cipherMode()) && !"none".equals(o.cipherMode())) {
            throw new UsageException("--cipher must be legacy-aes or none, not '" + o.cipher + "'");
        }
        if ("none".equals(o.cipherMode()) && !o.tls) {
            throw new UsageException("--cipher none needs --tls: servers accept plain bodies only over TLS");
        }
        if ("legacy-aes".equals(o.cipherMode()) && (o.cipherKey.length() != 16 || !o.cipherKey.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new UsageException("--cipher-key must be 16 printable ASCII characters");
        }
        if (o.sendTo != null && o.sendGroup != null) {
            throw new UsageException("give either --send or --send-group, not both");
        }
        if ((o.sendTo != null || o.sendGroup != null) != (o.text != null)) {
            throw new UsageException(o.text == null ? "--send and --send-group need --text" : "--text needs --send or --send-group");
        }
        if (o.sendGroup != null && !ChatCli.GROUP_ID.matcher(o.sendGroup).matches()) {
            throw new UsageException("'" + o.sendGroup + "' is not a group id (22 characters A-Z a-z 0-9 - _)");
        }
        if (o.expect >= 0 && o.listen == null && !o.offline) {
            throw new UsageException("--expect needs --listen or --offline");
        }
        return o;
    }

    private static String value(String option, String inline, Deque<String> rest) {
        if (inline != null) {
            return inline;
        }
        String v = rest.poll();
        if (v == null) {
            throw new UsageException(option + " needs a value");
        }
        return v;
    }

    private static int intValue(String option, String text, int min, int max) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v < min || v > max) {
                throw new UsageException(option + " must be within " + min + ".." + max + ", not " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, not '" + text + "'");
        }
    }

    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
