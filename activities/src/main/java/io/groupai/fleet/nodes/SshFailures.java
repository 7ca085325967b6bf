package io.groupai.fleet.nodes;

import io.groupai.fleet.nodes.ssh.SshException;
import io.groupai.fleet.workflows.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one mapping of SSH failures to Temporal failures, shared by every activity that uses SSH. */
public final class SshFailures {

    private static final Logger log = LoggerFactory.getLogger(SshFailures.class);

    private SshFailures() {}

    /**
     * Keeps the message (it names server and step); failures that retrying cannot fix (bad
     * credentials, changed host key, full disk, bad input) are non-retryable.
     */
    public static ApplicationFailure toTemporal(SshException e) {
        log.warn("{}", e.getMessage());
        return e.retryable()
                ? ApplicationFailure.newFailure(e.getMessage(), type(e.kind()))
                : ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.NON_RETRYABLE_NODE_FAILURE);
    }

    /** The failure type of a retryable kind; a new kind must be given one (or be non-retryable) here. */
    static String type(SshException.Kind kind) {
        return switch (kind) {
            case UNREACHABLE -> FailureTypes.SSH_UNREACHABLE;
            case TIMEOUT -> FailureTypes.SSH_TIMEOUT;
            case TRANSFER_FAILED -> FailureTypes.SSH_TRANSFER_FAILED;
            case AUTH_FAILED,
                    HOST_KEY_CHANGED,
                    DISK_FULL,
                    PERMISSION_DENIED,
                    COMMAND_FAILED,
                    NOT_FOUND,
                    INVALID_INPUT -> FailureTypes.NON_RETRYABLE_NODE_FAILURE;
        };
    }
}
