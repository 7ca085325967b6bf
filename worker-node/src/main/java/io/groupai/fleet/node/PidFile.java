package io.groupai.fleet.node;

import io.groupai.fleet.sessionformat.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <deploy_dir>/run/worker-node.pid}, the file the control plane's SSH operations use
 * (WorkerProcessControl). The launcher's {@code exec} makes the JVM the pid the control plane
 * wrote; the agent writes it again itself, so a JVM started some other way is found too, and
 * removes it on clean shutdown, but only while it still names this process.
 */
public final class PidFile {

    private static final Logger log = LoggerFactory.getLogger(PidFile.class);

    private final Path file;
    private final long pid;

    public PidFile(Path deployDir) {
        this.file = deployDir.resolve("run").resolve("worker-node.pid");
        this.pid = ProcessHandle.current().pid();
    }

    public Path path() {
        return file;
    }

    public long pid() {
        return pid;
    }

    public void write() throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("worker-node.pid.tmp-" + pid);
        Files.writeString(tmp, pid + "\n");
        AtomicFiles.move(tmp, file);
    }

    public void removeIfOurs() {
        try {
            if (Files.isRegularFile(file) && Files.readString(file).strip().equals(Long.toString(pid))) {
                Files.delete(file);
            }
        } catch (IOException e) {
            log.warn("cannot remove pid file {}: {}", file, e.getMessage());
        }
    }
}
