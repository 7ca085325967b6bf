package io.groupai.fleet.nodes;

import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The worker-node distribution bootstrap installs: by default the copy built into this app's own
 * artifact (classpath {@code worker-node-dist/}, put there by the app's build from
 * worker-node/target/dist), so it does not matter which directory the app was started in; or a
 * directory named by {@code groupai.nodes.distribution}. Embedded files are copied out once per
 * process into a temporary directory, because uploads checksum and stream local files.
 */
@Component
public class NodeDistribution {

    private static final Logger log = LoggerFactory.getLogger(NodeDistribution.class);

    static final String EMBEDDED = "worker-node-dist/";
    public static final String MANIFEST = "distribution.properties";
    public static final String LAUNCHER = "bin/worker-node";
    public static final String AGENT_JAR = "lib/worker-node.jar";
    public static final String TDLIB = "lib/libtdjson.so";
    public static final String RUNTIME_ARCHIVE = "runtime.tar.gz";
    private static final List<String> FILES = List.of(MANIFEST, LAUNCHER, AGENT_JAR, TDLIB, RUNTIME_ARCHIVE);

    /**
     * distribution.properties, written by the worker-node build.
     *
     * @param runtimeId SHA-256 of runtime.tar.gz: the runtime's version as far as installing goes
     * @param minGlibc  the oldest glibc the runtime and libtdjson.so run on, e.g. 2.17
     */
    public record Manifest(
            String version, String runtimeId, String javaVersion, String os, String arch, String minGlibc) {}

    /** A distribution on the local disk. */
    public record Local(Path dir, Manifest manifest) {
        public Path file(String relative) {
            return dir.resolve(relative);
        }
    }

    private final NodeDistributionProperties properties;
    private Path extracted;

    public NodeDistribution(NodeDistributionProperties properties) {
        this.properties = properties;
    }

    /**
     * The distribution to install.
     *
     * @throws IllegalStateException naming what is missing and how to get it
     */
    public synchronized Local local() {
        Path configured = properties.distributionDir();
        Path dir = configured != null ? configured : embedded();
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)
                || !Files.isRegularFile(dir.resolve(AGENT_JAR))
                || !Files.isRegularFile(dir.resolve(LAUNCHER))
                || !Files.isRegularFile(dir.resolve(RUNTIME_ARCHIVE))) {
            throw new IllegalStateException(
                    "the worker-node distribution at " + dir.toAbsolutePath() + " (groupai.nodes.distribution / "
                            + "GROUPAI_AGENT_DISTRIBUTION) is incomplete: it needs " + MANIFEST + ", " + LAUNCHER + ", "
                            + AGENT_JAR
                            + " and " + RUNTIME_ARCHIVE
                            + "; point it at worker-node/target/dist after ./mvnw -DskipTests package, or leave it empty");
        }
        return new Local(dir, readManifest(manifest));
    }

    /**
     * What would be installed, read without copying anything (for health and status pages).
     *
     * @throws IllegalStateException naming what is missing and how to get it
     */
    public synchronized Manifest manifest() {
        Path configured = properties.distributionDir();
        if (configured != null || extracted != null) {
            return local().manifest();
        }
        try (InputStream in = embeddedManifest().openStream()) {
            return readManifest(in, EMBEDDED + MANIFEST);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the embedded " + MANIFEST, e);
        }
    }

    private static java.net.URL embeddedManifest() {
        java.net.URL url = NodeDistribution.class.getClassLoader().getResource(EMBEDDED + MANIFEST);
        if (url == null) {
            throw new IllegalStateException(
                    "this build of the app carries no worker-node distribution (" + EMBEDDED
                            + " on its classpath): build the whole project with ./mvnw -DskipTests package (worker-node is built"
                            + " before app and embedded into it), or set GROUPAI_AGENT_DISTRIBUTION to a worker-node/target/dist directory");
        }
        return url;
    }

    private Path embedded() {
        if (extracted != null) {
            return extracted;
        }
        embeddedManifest();
        ClassLoader loader = NodeDistribution.class.getClassLoader();
        try {
            Path dir = Files.createTempDirectory("worker-node-dist-");
            for (String file : FILES) {
                try (InputStream in = loader.getResourceAsStream(EMBEDDED + file)) {
                    if (in != null) {
                        Path target = dir.resolve(file);
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            log.info("worker-node distribution built into this app copied to {} for upload", dir);
            extracted = dir;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot copy the embedded worker-node distribution to a temporary directory", e);
        }
    }

    private static Manifest readManifest(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return readManifest(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Manifest readManifest(InputStream in, String file) throws IOException {
        Properties p = new Properties();
        p.load(in);
        String runtimeId = p.getProperty("runtime.id", "");
        if (!runtimeId.matches("[0-9a-f]{64}")) {
            throw new IllegalStateException(
                    file + " has no valid runtime.id (the SHA-256 of " + RUNTIME_ARCHIVE + "); rebuild worker-node");
        }
        return new Manifest(
                p.getProperty("version"),
                runtimeId,
                p.getProperty("runtime.java.version"),
                p.getProperty("runtime.os", "Linux"),
                p.getProperty("runtime.arch", "x86_64"),
                p.getProperty("runtime.min.glibc", "2.17"));
    }

    @PreDestroy
    synchronized void deleteExtracted() {
        if (extracted == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(extracted)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn(
                    "could not delete the temporary copy of the worker-node distribution at {}: {}",
                    extracted,
                    e.toString());
        }
        extracted = null;
    }
}
