package io.groupai.fleet.sessionformat;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Putting a fully written file or directory in place, so readers see the old or the new one, never half. */
public final class AtomicFiles {

    private AtomicFiles() {}

    /**
     * Renames {@code from} to {@code to} atomically, replacing a file at {@code to}. Callers write {@code from}
     * beside {@code to} (same directory, same file system), where only exotic file systems lack an atomic
     * rename; there the plain move still never exposes a half-written file under the final name.
     */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
