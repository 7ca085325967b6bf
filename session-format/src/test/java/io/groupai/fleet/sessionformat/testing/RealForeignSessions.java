package io.groupai.fleet.sessionformat.testing;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Pyrogram and Telethon {@code .session} files written by the real libraries (PyPI {@code pyrogram},
 * {@code telethon}) through {@code foreign_session.py}, offline: nothing contacts Telegram, and the
 * auth key is random. The libraries live in the project's virtual environment {@code .tools/venv}
 * ({@code .ci/run} installs them); where it or they are missing, the calling test is skipped with a
 * message saying how to install them.
 */
public final class RealForeignSessions {

    /** Overrides where the Python with pyrogram and telethon is. */
    public static final String PYTHON_PROPERTY = "groupai.test.python";

    private static final String INSTALL =
            "python3 -m venv .tools/venv && .tools/venv/bin/pip install pyrogram telethon" + " (or run .ci/run)";

    private RealForeignSessions() {}

    /** A Pyrogram session file at {@code file} (must end in .session). */
    public static Path pyrogram(Path file, int dcId, long userId) {
        return write(file, "pyrogram", Integer.toString(dcId), Long.toString(userId));
    }

    /** A Telethon session file at {@code file} (must end in .session); Telethon keeps no user id in it. */
    public static Path telethon(Path file, int dcId) {
        return write(file, "telethon", Integer.toString(dcId));
    }

    private static Path write(Path file, String library, String... args) {
        Path python = python().orElseGet(() -> abort("no Python virtual environment with " + library
                + " at .tools/venv (looked upwards from " + Path.of("").toAbsolutePath() + ") nor at -D"
                + PYTHON_PROPERTY
                + "; install it: " + INSTALL));
        try {
            Path script = Files.createTempFile("foreign_session", ".py");
            try (InputStream in = RealForeignSessions.class.getResourceAsStream("foreign_session.py")) {
                Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            String[] command = new String[4 + args.length];
            command[0] = python.toString();
            command[1] = script.toString();
            command[2] = library;
            command[3] = file.toAbsolutePath().toString();
            System.arraycopy(args, 0, command, 4, args.length);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("foreign_session.py " + library + " did not finish: " + output);
            }
            Files.deleteIfExists(script);
            if (p.exitValue() == 3) {
                abort(library + " is not installed in " + python + ": " + output.strip() + "; install it: " + INSTALL);
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(file)) {
                throw new IllegalStateException(
                        "foreign_session.py " + library + " failed (" + p.exitValue() + "): " + output);
            }
            return file;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + python + " to write a " + library + " session", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code -Dgroupai.test.python}, else {@code .tools/venv/bin/python} in this directory or one above it. */
    private static Optional<Path> python() {
        String configured = System.getProperty(PYTHON_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".tools/venv/bin/python");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
