package io.groupai.fleet.nodes.ssh;

import java.time.Duration;

/** Outcome of one remote command. Output is truncated at {@link RemoteShell#MAX_OUTPUT_BYTES}. */
public record CommandResult(int exitCode, String stdout, String stderr, Duration elapsed) {

    public boolean ok() {
        return exitCode == 0;
    }
}
