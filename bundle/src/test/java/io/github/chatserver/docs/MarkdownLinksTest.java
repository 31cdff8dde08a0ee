package io.github.chatserver.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the project's markdown files leads somewhere: the file exists and, for a
 * link with {@code #anchor} into a markdown file, a heading of that file has that anchor (as
 * GitHub makes them). Links to other sites are not followed.
 */
class MarkdownLinksTest {
    /** Surefire runs in the module's directory; the repository is one level up. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Set<String> SKIPPED_DIRECTORIES = Set.of(".git", "target", ".run", "node_modules");
    /** {@code [text](target)} or {@code ![alt](target "title")}; reference-style links are not used here. */
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(\\s*([^)\\s]+)(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    /** GitHub keeps letters, marks, digits, connector punctuation, hyphens and spaces. */
    private static final Pattern NOT_IN_ANCHOR = Pattern.compile("[^\\p{L}\\p{M}\\p{N}\\p{Pc}\\- ]");

    private final Map<Path, Set<String>> anchors = new HashMap<>();

    @Test
    void everyRelativeLinkInTheMarkdownFilesResolves() throws IOException {
        List<Path> files = markdownFiles();
        assertFalse(files.isEmpty(), "no markdown files under " + ROOT);
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```")) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced) {
                    continue;
                }
                Matcher link = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
                while (link.find()) {
                    String problem = check(file, link.group(1));
                    checked++;
                    if (problem != null) {
                        broken.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + link.group(1) + ": " + problem);
                    }
                }
            }
        }
        assertTrue(checked > 0, "no links found: is the pattern right?");
        assertTrue(broken.isEmpty(), broken.size() + " broken link(s):\n  " + String.join("\n  ", broken));
    }

    /** What is wrong with a link from {@code file}, or {@code null} if it resolves (or leaves the repository's files). */
    private String check(Path file, String target) {
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return null; // https:, mailto: ...: another site
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
        if (!resolved.startsWith(ROOT)) {
            return "points outside the repository";
        }
        if (!Files.exists(resolved)) {
            return "no such file " + ROOT.relativize(resolved);
        }
        if (anchor != null && resolved.toString().endsWith(".md") && !anchorsOf(resolved).contains(anchor)) {
            return "no heading with anchor #" + anchor + " in " + ROOT.relativize(resolved);
        }
        return null;
    }

    /** The anchors GitHub gives the headings of a markdown file (a repeated one gets -1, -2, ...). */
    private Set<String> anchorsOf(Path file) {
        return anchors.computeIfAbsent(file, f -> {
            Set<String> found = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            boolean fenced = false;
            try {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (line.strip().startsWith("```")) {
                        fenced = !fenced;
                        continue;
                    }
                    Matcher heading = HEADING.matcher(line);
                    if (fenced || !heading.matches()) {
                        continue;
                    }
                    String anchor = anchor(heading.group(1));
                    int n = seen.merge(anchor, 1, Integer::sum) - 1;
                    found.add(n == 0 ? anchor : anchor + "-" + n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return found;
        });
    }

    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces turned into hyphens. */
    static String anchor(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // a link counts by its text
        return NOT_IN_ANCHOR.matcher(text.toLowerCase(Locale.ROOT)).replaceAll("").replace(' ', '-');
    }

    /** The markdown files of the repository, outside build output and the local run directory. */
    private static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                return SKIPPED_DIRECTORIES.contains(String.valueOf(dir.getFileName())) && !dir.equals(ROOT)
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (file.toString().endsWith(".md")) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort(null);
        return files;
    }

    @Test
    void anchorsAreMadeAsGitHubMakesThem() {
        assertEquals("5-extensions-version-2-reserved-not-implemented-yet",
                anchor("5. Extensions (version 2): reserved, not implemented yet"));
        assertEquals("one-to-one-chat-5", anchor("One-to-one chat (5)"));
        assertEquals("install-into-an-existing-karaf-44", anchor("Install into an existing Karaf 4.4"));
        assertEquals("chatstatus-and-friends", anchor("`chat:status` and friends"));
        assertEquals("über-groß_2", anchor("Über groß_2"));
    }
}
