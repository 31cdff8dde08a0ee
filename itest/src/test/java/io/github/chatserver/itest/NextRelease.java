package io.github.chatserver.itest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.features.Repository;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

/**
 * A stand-in for the next release of chatserver, made inside the container from what is installed: the
 * server bundle's jar with its Bundle-Version raised by one micro step, and a features repository that
 * is this build's with feature {@code chatserver} at that version pointing to that jar. Everything else
 * (proto bundle, third-party bundles, the .cfg) is the same, as in a patch release. Both files are
 * written into the container's {@code karaf.data}, so they go with the container.
 *
 * @param repository the new features repository (a file: URI), to add to the FeaturesService
 * @param version    the new feature and bundle version
 * @param previous   the feature installed now
 */
record NextRelease(URI repository, Version version, Feature previous) {

    static NextRelease of(FeaturesService features, Bundle server) throws Exception {
        Feature installed = features.getFeature("chatserver");
        Repository repository = features.getRepository(URI.create(installed.getRepositoryUrl()));
        Version current = server.getVersion();
        Version next = new Version(current.getMajor(), current.getMinor(), current.getMicro() + 1);
        // In this Karaf's own data directory, not /tmp: the jar must outlive the test (the upgraded bundle
        // may be read from it again), and Pax Exam removes the whole Karaf when the test class is done.
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("karaf.data")), "chatserver-next-");

        Path jar = dir.resolve("chatserver-bundle-" + next + ".jar");
        try (InputStream in = new URL(server.getLocation()).openStream(); OutputStream out = Files.newOutputStream(jar)) {
            withBundleVersion(in, out, next);
        }

        String xml;
        try (InputStream in = repository.getURI().toURL().openStream()) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String nextXml = xml
                .replaceFirst("<features name=\"[^\"]*\"", "<features name=\"chatserver-" + next + "\"")
                .replaceFirst("<feature name=\"chatserver\" version=\"[^\"]*\"",
                        "<feature name=\"chatserver\" version=\"" + next + "\"")
                .replaceFirst("<bundle>mvn:io.github.chatserver/chatserver-bundle/[^<]*</bundle>",
                        "<bundle>" + jar.toUri() + "</bundle>");
        // Only feature chatserver is released anew; the client feature stays in this build's repository.
        nextXml = Pattern.compile("\\s*<feature name=\"chatserver-client\".*?</feature>", Pattern.DOTALL)
                .matcher(nextXml).replaceAll("");
        if (!nextXml.contains(jar.toUri().toString()) || !nextXml.contains("version=\"" + next + "\"")) {
            throw new IllegalStateException("features repository " + repository.getURI()
                    + " does not have the expected shape; got:\n" + nextXml);
        }
        Path featuresXml = dir.resolve("chatserver-features-" + next + ".xml");
        Files.writeString(featuresXml, nextXml);
        return new NextRelease(featuresXml.toUri(), next, installed);
    }

    private static void withBundleVersion(InputStream jar, OutputStream out, Version version) throws IOException {
        try (JarInputStream in = new JarInputStream(jar)) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version.toString());
            try (JarOutputStream copy = new JarOutputStream(out, manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    copy.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(copy);
                    copy.closeEntry();
                }
            }
        }
    }
}
