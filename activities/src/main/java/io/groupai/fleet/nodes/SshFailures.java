package io.groupai.fleet.nodes;

import io.groupai.fleet.nodes.ssh.SshException;
import io.groupai.fleet.workflows.nodes.ServerOperationWorkflowImpl;
import io.temporal.failure.ApplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one mapping of SSH failures to Temporal failures, shared by every activity that uses SSH. */
public final class SshFailures {

    private static final Logger log = LoggerFactory.getLogger(SshFailures.class);

    private SshFailures() {
    }

    /**
     * Keeps the message (it names server and step); failures that retrying cannot fix (bad
     * credentials, changed host key, full disk, bad input) are non-retryable.
     */
    public static ApplicationFailure toTemporal(SshException e) {
        log.warn("{}", e.getMessage());
        return e.retryable()
                ? ApplicationFailure.newFailure(e.getMessage(), e.kind().name())
                : ApplicationFailure.newNonRetryableFailure(e.getMessage(), ServerOperationWorkflowImpl.NON_RETRYABLE);
    }
}
