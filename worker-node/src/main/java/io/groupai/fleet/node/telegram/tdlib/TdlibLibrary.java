package io.groupai.fleet.node.telegram.tdlib;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds and loads libtdjson.so. Lookup order, first hit wins:
 * <ol>
 *   <li>system property {@value #PATH_PROPERTY} (a file; if set it must exist, no fallback),</li>
 *   <li>environment variable {@value #PATH_ENV} (same rule),</li>
 *   <li>{@code <deploy_dir>/lib/libtdjson.so} when the caller knows the deployment directory,</li>
 *   <li>{@value #DEV_DEFAULT} relative to the working directory: where the worker-node build unpacks it,
 *       which is where tests and benches run.</li>
 * </ol>
 * An explicitly configured path that does not exist is an error rather than a silent fallback, so a
 * node never runs a library other than the one its operator pointed at.
 */
public final class TdlibLibrary {

    public static final String PATH_PROPERTY = "groupai.tdlib.path";
    public static final String PATH_ENV = "TDLIB_PATH";
    public static final String DEV_DEFAULT = "target/native/libtdjson.so";
    public static final String LIBRARY_FILE = "libtdjson.so";

    private static final Map<Path, TdJson> LOADED = new ConcurrentHashMap<>();

    private TdlibLibrary() {}

    /** Where to load the library from, given the environment; throws with every place tried when none fits. */
    public static Path locate(Optional<Path> deployDir) {
        return locate(System.getProperty(PATH_PROPERTY), System.getenv(PATH_ENV), deployDir);
    }

    static Path locate(String property, String env, Optional<Path> deployDir) {
        if (property != null && !property.isBlank()) {
            return requireFile(Path.of(property), "system property " + PATH_PROPERTY);
        }
        if (env != null && !env.isBlank()) {
            return requireFile(Path.of(env), "environment variable " + PATH_ENV);
        }
        List<Path> tried = new ArrayList<>();
        if (deployDir.isPresent()) {
            Path deployed = deployDir.get().resolve("lib").resolve(LIBRARY_FILE);
            if (Files.isRegularFile(deployed)) {
                return deployed;
            }
            tried.add(deployed);
        }
        Path dev = Path.of(DEV_DEFAULT);
        if (Files.isRegularFile(dev)) {
            return dev;
        }
        tried.add(dev.toAbsolutePath());
        throw new TdlibUnavailableException(
                "libtdjson.so not found; looked at " + tried
                        + ". Set -D" + PATH_PROPERTY + "=<file> or " + PATH_ENV
                        + "=<file>, put it in <deploy_dir>/lib/, or build"
                        + " worker-node (./mvnw -pl worker-node -am test-compile), which fetches the pinned"
                        + " @prebuilt-tdlib/linux-x64-glibc into worker-node/target/native/.",
                null);
    }

    private static Path requireFile(Path path, String source) {
        if (!Files.isRegularFile(path)) {
            throw new TdlibUnavailableException(
                    "libtdjson.so not found at " + path.toAbsolutePath() + " (from " + source + ")", null);
        }
        return path;
    }

    /** Locates and loads the library; one JNA binding per file for the whole process. */
    public static TdJson load(Optional<Path> deployDir) {
        return load(locate(deployDir));
    }

    public static TdJson load(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return LOADED.computeIfAbsent(absolute, path -> {
            try {
                return Native.load(path.toString(), TdJson.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
            } catch (UnsatisfiedLinkError e) {
                // Typically a missing system library (check with ldd) or a non-x86-64/glibc machine.
                throw new TdlibUnavailableException("cannot load " + path + ": " + e.getMessage(), e);
            }
        });
    }
}
