package io.groupai.fleet.nodes.ssh;

import com.jcraft.jsch.ChannelExec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands on a server over a pooled session. Commands are either an argv list (each element
 * single-quoted by {@link ShellQuote}) or a script built by this package from validated values
 * and quoted fragments; nothing a user typed is ever pasted into a command unquoted.
 */
public final class RemoteShell {

    private static final Logger log = LoggerFactory.getLogger(RemoteShell.class);

    /** Output beyond this is dropped (the command keeps running); protects the heap from a chatty server. */
    public static final int MAX_OUTPUT_BYTES = 1 << 20;

    // One daemon thread enforces all deadlines by closing the channel; no thread per command waits on a timer.
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ssh-command-timeouts");
        t.setDaemon(true);
        return t;
    });

    private final SshSessionPool pool;
    private final java.util.concurrent.atomic.LongAdder commands = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder commandNanos = new java.util.concurrent.atomic.LongAdder();

    /** Commands run so far and their total wall time (session wait included): for the benches. */
    public record Stats(long commands, long nanos) {}

    public Stats stats() {
        return new Stats(commands.sum(), commandNanos.sum());
    }

    public RemoteShell(SshSessionPool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    public SshSessionPool pool() {
        return pool;
    }

    /** Runs {@code argv} (each element quoted) and returns whatever exit code it had. */
    public CommandResult exec(SshTarget target, String step, List<String> argv, Duration timeout) {
        return exec(target, step, ShellQuote.join(argv), timeout);
    }

    /**
     * Runs a prebuilt command line. Callers must build it only from constants and
     * {@link ShellQuote#quote quoted} validated values.
     *
     * @throws SshException TIMEOUT when the command did not finish in time (the channel is closed,
     *                      which makes the server end the command's shell)
     */
    public CommandResult exec(SshTarget target, String step, String command, Duration timeout) {
        Objects.requireNonNull(command, "command");
        Duration limit = timeout == null ? pool.settings().commandTimeout() : timeout;
        long began = System.nanoTime();
        try {
            return run(target, step, command, limit);
        } finally {
            commands.increment();
            commandNanos.add(System.nanoTime() - began);
        }
    }

    private CommandResult run(SshTarget target, String step, String command, Duration limit) {
        return pool.withSession(target, step, session -> {
            long start = System.nanoTime();
            ChannelExec channel = (ChannelExec) pool.openChannel(session, "exec");
            channel.setCommand(command);
            BoundedBuffer err = new BoundedBuffer();
            channel.setErrStream(err, true);
            InputStream stdout = channel.getInputStream();
            AtomicBoolean timedOut = new AtomicBoolean();
            try {
                pool.connectChannel(channel);
                ScheduledFuture<?> deadline = TIMER.schedule(
                        () -> {
                            timedOut.set(true);
                            channel.disconnect(); // unblocks the reader below with EOF
                        },
                        limit.toMillis(),
                        TimeUnit.MILLISECONDS);
                BoundedBuffer out = new BoundedBuffer();
                try {
                    stdout.transferTo(out);
                    // exit-status arrives just before the channel closes; wait for it within the same deadline
                    while (!channel.isClosed() && !timedOut.get()) {
                        Thread.sleep(1);
                    }
                } catch (IOException e) {
                    if (!timedOut.get()) {
                        throw e;
                    }
                } finally {
                    deadline.cancel(false);
                }
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                if (timedOut.get()) {
                    throw new SshException(
                            target.nodeId(),
                            step,
                            SshException.Kind.TIMEOUT,
                            "command did not finish within " + limit.toMillis() + " ms");
                }
                CommandResult result = new CommandResult(channel.getExitStatus(), out.text(), err.text(), elapsed);
                log.debug(
                        "server {} step {}: exit {} in {} ms",
                        target.nodeId(),
                        step,
                        result.exitCode(),
                        elapsed.toMillis());
                return result;
            } finally {
                channel.disconnect();
            }
        });
    }

    /** Like {@link #exec(SshTarget, String, String, Duration)} but a non-zero exit becomes an {@link SshException}. */
    public CommandResult execChecked(SshTarget target, String step, String command, Duration timeout) {
        CommandResult result = exec(target, step, command, timeout);
        if (!result.ok()) {
            throw failure(target, step, result);
        }
        return result;
    }

    /** The exception for a failed command, classified by its stderr (disk full, permission denied, ...). */
    static SshException failure(SshTarget target, String step, CommandResult result) {
        SshException.Kind kind = SshErrors.kindFromText(result.stderr(), SshException.Kind.COMMAND_FAILED);
        return new SshException(
                target.nodeId(),
                step,
                kind,
                "remote command exited with " + result.exitCode()
                        + (result.stderr().isBlank() ? "" : ": " + SshErrors.tail(result.stderr())));
    }

    /** A synchronized, size-capped byte sink (JSch writes stderr from its session thread). */
    private static final class BoundedBuffer extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (bytes.size() < MAX_OUTPUT_BYTES) {
                bytes.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = MAX_OUTPUT_BYTES - bytes.size();
            if (room > 0) {
                bytes.write(b, off, Math.min(room, len));
            }
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
