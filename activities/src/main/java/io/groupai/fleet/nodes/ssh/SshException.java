package io.groupai.fleet.nodes.ssh;

import java.util.Objects;

/**
 * Any failure of the SSH layer. The message always names the server and the step, and never
 * contains a secret. {@link #retryable()} tells an activity (and Temporal's retry policy, via
 * non-retryable error types) whether trying again can help.
 */
public class SshException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, from the caller's point of view. */
    public enum Kind {
        UNREACHABLE(true),
        AUTH_FAILED(false),
        HOST_KEY_CHANGED(false),
        TIMEOUT(true),
        DISK_FULL(false),
        PERMISSION_DENIED(false),
        /** The transfer broke off (connection dropped, checksum mismatch): a retry can succeed. */
        TRANSFER_FAILED(true),
        COMMAND_FAILED(false),
        /** A file or directory the operation needs does not exist on the server. */
        NOT_FOUND(false),
        INVALID_INPUT(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final String nodeId;
    private final String step;
    private final Kind kind;

    public SshException(String nodeId, String step, Kind kind, String detail) {
        this(nodeId, step, kind, detail, null);
    }

    public SshException(String nodeId, String step, Kind kind, String detail, Throwable cause) {
        super("server " + nodeId + ", step " + step + ": " + kind + ": " + detail, cause);
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.step = Objects.requireNonNull(step, "step");
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    static SshException invalidInput(String nodeId, String detail) {
        return new SshException(nodeId == null ? "?" : nodeId, "validate", Kind.INVALID_INPUT, detail);
    }

    public String nodeId() {
        return nodeId;
    }

    public String step() {
        return step;
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind.retryable();
    }
}
