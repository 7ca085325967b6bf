package io.groupai.fleet.node.scripts;

import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.NodeOperationException;
import io.groupai.fleet.node.SafeNames;
import io.groupai.fleet.scripts.InvalidScriptException;
import io.groupai.fleet.scripts.Script;
import io.groupai.fleet.scripts.ScriptEngine;
import io.groupai.fleet.scripts.ScriptParser;
import io.groupai.fleet.sessionformat.AtomicFiles;
import io.groupai.fleet.sessionformat.Sha256;
import io.groupai.fleet.workflows.FailureTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Script versions on the node: {@code <deploy_dir>/scripts/<scriptId>/<version>.yaml}, and the
 * active version's name in {@code <deploy_dir>/scripts/<scriptId>/active}. Every file is written
 * to a temp name and renamed, so a crash never leaves a half-written script active.
 */
public final class ScriptStore {

    private static final Logger log = LoggerFactory.getLogger(ScriptStore.class);
    static final long MAX_SCRIPT_BYTES = 1024 * 1024;

    private final Path scriptsDir;
    private final ControlPlaneHttp http;
    private final Map<String, LoadedScript> compiled = new ConcurrentHashMap<>();

    public ScriptStore(Path scriptsDir, ControlPlaneHttp http) {
        this.scriptsDir = scriptsDir;
        this.http = http;
    }

    /**
     * Downloads, verifies and activates a version. Idempotent: a version already stored with the
     * expected checksum is not downloaded again.
     */
    public void install(String scriptId, String version, String downloadUrl, String sha256) {
        String step = "install-script";
        try {
            SafeNames.require("script id", scriptId);
            SafeNames.require("script version", version);
        } catch (IllegalArgumentException e) {
            throw NodeOperationException.rejected(step, null, FailureTypes.INVALID_SCRIPT, e.getMessage());
        }
        String expected =
                sha256 == null || sha256.isBlank() ? null : sha256.strip().toLowerCase(Locale.ROOT);
        // Scripts come only from the control plane, pinned by checksum: a command naming another host, or
        // none, could make this node run someone else's dialogue.
        if (expected == null || !expected.matches("[0-9a-f]{64}")) {
            throw NodeOperationException.rejected(
                    step,
                    null,
                    FailureTypes.INVALID_SCRIPT,
                    "script " + scriptId + " " + version + ": a sha256 (64 hex digits) of the script is required");
        }
        if (downloadUrl != null && !downloadUrl.isBlank() && !http.isControlPlane(downloadUrl)) {
            throw NodeOperationException.rejected(
                    step,
                    null,
                    FailureTypes.INVALID_SCRIPT,
                    "script " + scriptId + " " + version + ": the download URL must be on this node's control plane "
                            + http.base() + " (a path such as /api/v1/group-ai/scripts/...), not another host");
        }
        Path dir = scriptsDir.resolve(scriptId);
        Path target = dir.resolve(version + ".yaml");
        try {
            Files.createDirectories(dir);
            boolean present = Files.isRegularFile(target) && expected.equals(Sha256.hex(target));
            if (!present) {
                if (downloadUrl == null || downloadUrl.isBlank()) {
                    throw NodeOperationException.rejected(
                            step,
                            null,
                            FailureTypes.INVALID_SCRIPT,
                            "script " + scriptId + " " + version + ": no download URL given");
                }
                Path tmp = Files.createTempFile(dir, ".download-", ".tmp");
                try {
                    http.download(downloadUrl, tmp, MAX_SCRIPT_BYTES, Duration.ofSeconds(60));
                    String actual = Sha256.hex(tmp);
                    if (!expected.equals(actual)) {
                        throw NodeOperationException.rejected(
                                step,
                                null,
                                FailureTypes.SCRIPT_CHECKSUM_MISMATCH,
                                "script " + scriptId + " " + version + ": sha256 " + actual
                                        + " does not match the expected " + expected);
                    }
                    try {
                        // The same validator as the control plane's upload: a broken file never becomes active.
                        ScriptParser.parse(Files.readString(tmp, StandardCharsets.UTF_8));
                    } catch (InvalidScriptException | java.nio.charset.CharacterCodingException e) {
                        throw NodeOperationException.rejected(
                                step,
                                null,
                                FailureTypes.INVALID_SCRIPT,
                                "script " + scriptId + " " + version + " is not a valid script: " + e.getMessage());
                    }
                    AtomicFiles.move(tmp, target);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            writeAtomically(dir.resolve("active"), version);
            compiled.remove(scriptId + "/" + version);
            log.info("script {} version {} installed and active", scriptId, version);
        } catch (IOException e) {
            throw NodeOperationException.transientFailure(
                    step, null, "script " + scriptId + " " + version + ": " + ControlPlaneHttp.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NodeOperationException.transientFailure(step, null, "interrupted", e);
        } catch (IllegalArgumentException e) {
            throw NodeOperationException.rejected(step, null, FailureTypes.INVALID_SCRIPT, e.getMessage());
        }
    }

    /** Removes every stored version; accounts using it then run without a script. Idempotent. */
    public void remove(String scriptId) {
        SafeNames.require("script id", scriptId);
        Path dir = scriptsDir.resolve(scriptId);
        try {
            deleteTree(dir);
            compiled.keySet().removeIf(k -> k.startsWith(scriptId + "/"));
            log.info("script {} removed", scriptId);
        } catch (IOException e) {
            throw NodeOperationException.transientFailure(
                    "remove-script", null, "script " + scriptId + ": " + e.getMessage(), e);
        }
    }

    public Optional<String> activeVersion(String scriptId) {
        if (!SafeNames.isSafe(scriptId)) {
            return Optional.empty();
        }
        Path active = scriptsDir.resolve(scriptId).resolve("active");
        try {
            return Files.isRegularFile(active)
                    ? Optional.of(Files.readString(active).strip())
                    : Optional.empty();
        } catch (IOException e) {
            log.warn("script {}: cannot read its active version: {}", scriptId, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The active version, compiled once and shared by the accounts running it; empty when none is
     * installed.
     *
     * @throws IllegalStateException when the active version cannot be read or is invalid (the caller
     *                               keeps what it runs)
     */
    public Optional<LoadedScript> loadActive(String scriptId) {
        if (scriptId == null) {
            return Optional.empty();
        }
        Optional<String> active = activeVersion(scriptId);
        if (active.isEmpty()) {
            return Optional.empty();
        }
        String version = active.get();
        LoadedScript cached = compiled.get(scriptId + "/" + version);
        if (cached != null) {
            return Optional.of(cached);
        }
        Path file = scriptsDir.resolve(scriptId).resolve(version + ".yaml");
        try {
            Script script = ScriptParser.parse(Files.readString(file, StandardCharsets.UTF_8));
            LoadedScript loaded = new LoadedScript(scriptId, version, new ScriptEngine(script));
            compiled.put(scriptId + "/" + version, loaded);
            return Optional.of(loaded);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "script " + scriptId + " version " + version + " cannot be loaded: " + e.getMessage(), e);
        }
    }

    static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".write-", ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            AtomicFiles.move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
