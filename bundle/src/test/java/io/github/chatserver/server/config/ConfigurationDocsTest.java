package io.github.chatserver.server.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration keys are declared once, in the metatype {@link ChatServerConfig}. The table of
 * docs/configuration.md and the operator's .cfg file must list exactly its keys with its defaults,
 * and the table's "applies" column must say what {@link ServerSettings#appliesInPlace} does. Each
 * failure names the key, the file and what differs.
 */
class ConfigurationDocsTest {
    /** Surefire runs in the module's directory. */
    private static final Path DOCS = Path.of("..", "docs", "configuration.md");
    private static final Path CFG = Path.of("..", "features", "src", "main", "cfg", "io.github.chatserver.cfg");
    private static final String TABLE_HEADER = "| key | default | allowed values | applies | description |";
    private static final String EMPTY_DEFAULT = "*(empty)*";
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    /** Cells are separated by pipes that are not escaped (a cell may hold "\|"). */
    private static final Pattern CELL_SEPARATOR = Pattern.compile("(?<!\\\\)\\|");

    /**
     * The settings every "applies" check starts from: valid with each key below changed alone
     * (TLS on, so that a plain-body cipher is allowed; a fixed node name, since an empty one is
     * generated anew each time).
     */
    private static final Map<String, Object> BASE = Map.of("tls", "only", "keystorePath", "chat.p12", "nodeId", "node-a");
    /** A second valid value for the keys whose type has no obvious one. */
    private static final Map<String, Object> OTHER_VALUE = Map.ofEntries(
            Map.entry("bindAddress", "0.0.0.0"),
            Map.entry("cipher", "none"),
            Map.entry("cipherKey", "abcdefghijklmnop"),
            Map.entry("redisAddress", "redis://127.0.0.1:6380"),
            Map.entry("redisPassword", "secret"),
            Map.entry("redisConfig", "etc/redis.yaml"),
            Map.entry("authMode", "password"),
            Map.entry("tokenSecret", "s".repeat(32)),
            Map.entry("tls", "separate"),
            Map.entry("tlsCipher", "legacy-aes"),
            Map.entry("keystorePath", "other.p12"),
            Map.entry("keystorePassword", "changeit"),
            Map.entry("keystoreType", "JKS"),
            Map.entry("tlsProtocols", new String[] {"TLSv1.3"}),
            Map.entry("nodeId", "node-b"));

    /** One row of the docs table. */
    private record Row(String defaultValue, String applies) {
    }

    @Test
    void theDocsTableListsEveryKeyOfTheMetatypeWithItsDefault() throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Row> rows = docsTable(problems);
        Map<String, String> documented = new LinkedHashMap<>();
        rows.forEach((key, row) -> documented.put(key, row.defaultValue()));
        compare(documented, "docs/configuration.md", problems);
        assertNoProblems(problems);
    }

    @Test
    void theCfgFileSetsEveryKeyOfTheMetatypeToItsDefault() throws IOException {
        Properties cfg = new Properties();
        try (Reader in = Files.newBufferedReader(CFG, StandardCharsets.ISO_8859_1)) { // what Properties files are
            cfg.load(in);
        }
        Map<String, String> set = new TreeMap<>();
        cfg.stringPropertyNames().forEach(key -> set.put(key, cfg.getProperty(key).strip()));
        List<String> problems = new ArrayList<>();
        compare(set, "features/src/main/cfg/io.github.chatserver.cfg", problems);
        assertNoProblems(problems);
    }

    @Test
    void theDocsTableSaysWhichKeysApplyInPlace() throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Row> rows = docsTable(problems);
        ServerSettings base = ServerSettings.from(config(Map.of()));
        for (Method key : ChatServerConfig.class.getDeclaredMethods()) {
            Row row = rows.get(key.getName());
            if (row == null) {
                continue; // reported by the defaults test
            }
            Object other = otherValue(key);
            if (other == null) {
                problems.add("key '" + key.getName() + "': this test knows no second valid value of type "
                        + key.getReturnType().getSimpleName() + "; add one to OTHER_VALUE");
                continue;
            }
            ServerSettings changed;
            try {
                changed = ServerSettings.from(config(Map.of(key.getName(), other)));
            } catch (IllegalArgumentException e) {
                problems.add("key '" + key.getName() + "': the test's second value " + text(other)
                        + " is refused (" + e.getMessage() + "); change it in OTHER_VALUE");
                continue;
            }
            String actual = base.appliesInPlace(changed) ? "in place" : "restart";
            if (!actual.equals(row.applies())) {
                problems.add("docs/configuration.md: key '" + key.getName() + "' applies '" + row.applies()
                        + "', but ServerSettings.appliesInPlace says '" + actual + "'");
            }
        }
        assertNoProblems(problems);
    }

    /** Every key of the metatype, with its default as a .cfg file writes it (a list comma-separated). */
    private static Map<String, String> metatypeDefaults() {
        Map<String, String> defaults = new TreeMap<>();
        for (Method key : ChatServerConfig.class.getDeclaredMethods()) {
            defaults.put(key.getName(), text(key.getDefaultValue()));
        }
        return defaults;
    }

    /** Reports keys missing from {@code found}, keys it has that the metatype does not, and different defaults. */
    private static void compare(Map<String, String> found, String where, List<String> problems) {
        Map<String, String> expected = metatypeDefaults();
        expected.forEach((key, value) -> {
            if (!found.containsKey(key)) {
                problems.add(where + ": key '" + key + "' of ChatServerConfig is missing"
                        + (where.endsWith(".cfg") ? " or commented out" : "") + " (default '" + value + "')");
            } else if (!found.get(key).equals(value)) {
                problems.add(where + ": key '" + key + "' has default '" + found.get(key)
                        + "', ChatServerConfig says '" + value + "'");
            }
        });
        found.keySet().stream().filter(key -> !expected.containsKey(key)).forEach(key ->
                problems.add(where + ": key '" + key + "' is not in ChatServerConfig"));
    }

    /** The rows of the key table, by key; a malformed row is reported as a problem. */
    private static Map<String, Row> docsTable(List<String> problems) throws IOException {
        List<String> lines = Files.readAllLines(DOCS, StandardCharsets.UTF_8);
        int header = lines.indexOf(TABLE_HEADER);
        assertTrue(header >= 0, "docs/configuration.md has no table with the header " + TABLE_HEADER);
        Map<String, Row> rows = new LinkedHashMap<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String line = lines.get(i);
            String[] cells = CELL_SEPARATOR.split(line.substring(1, line.length() - 1), -1);
            if (cells.length != 5) {
                problems.add("docs/configuration.md line " + (i + 1) + ": " + cells.length + " cells, not 5: " + line);
                continue;
            }
            Matcher key = CODE.matcher(cells[0].strip());
            String defaultCell = cells[1].strip();
            Matcher code = CODE.matcher(defaultCell);
            String defaultValue = code.matches() ? code.group(1) : EMPTY_DEFAULT.equals(defaultCell) ? "" : null;
            if (!key.matches() || defaultValue == null) {
                problems.add("docs/configuration.md line " + (i + 1) + ": the key and the default must be `code` (or "
                        + EMPTY_DEFAULT + " for an empty default): " + line);
                continue;
            }
            if (rows.put(key.group(1), new Row(defaultValue, cells[3].strip())) != null) {
                problems.add("docs/configuration.md: key '" + key.group(1) + "' is listed twice");
            }
        }
        return rows;
    }

    /** A configuration like Declarative Services makes it: the defaults, then {@link #BASE}, then {@code changes}. */
    private static ChatServerConfig config(Map<String, Object> changes) {
        Map<String, Object> values = new HashMap<>(BASE);
        values.putAll(changes);
        return (ChatServerConfig) Proxy.newProxyInstance(ChatServerConfig.class.getClassLoader(),
                new Class<?>[] {ChatServerConfig.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class || method.getParameterCount() > 0) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "ChatServerConfig" + values;
                        };
                    }
                    if (method.getName().equals("annotationType")) {
                        return ChatServerConfig.class;
                    }
                    return values.getOrDefault(method.getName(), method.getDefaultValue());
                });
    }

    /** A valid value of the key other than the one {@link #config} gives it, or {@code null} if none is known. */
    private static Object otherValue(Method key) {
        Object current = BASE.getOrDefault(key.getName(), key.getDefaultValue());
        if (OTHER_VALUE.containsKey(key.getName())) {
            return OTHER_VALUE.get(key.getName());
        }
        if (current instanceof Integer i) {
            return i + 1;
        }
        if (current instanceof Long l) {
            return l + 1;
        }
        if (current instanceof Boolean b) {
            return !b;
        }
        return null;
    }

    private static String text(Object value) {
        return value instanceof String[] list ? String.join(",", list) : String.valueOf(value);
    }

    private static void assertNoProblems(List<String> problems) {
        assertTrue(problems.isEmpty(), problems.size() + " difference(s) from ChatServerConfig:\n  "
                + String.join("\n  ", problems));
    }
}
