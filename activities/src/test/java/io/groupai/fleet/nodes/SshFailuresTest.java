package io.groupai.fleet.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.nodes.ssh.SshException;
import io.groupai.fleet.workflows.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

class SshFailuresTest {

    /**
     * The workflows stop retrying on NON_RETRYABLE_NODE_FAILURE: a retryable kind must not get that
     * type, and every type raised is a documented one.
     */
    @Test
    void everyKindRaisesADocumentedTypeThatMatchesItsRetryability() {
        for (SshException.Kind kind : SshException.Kind.values()) {
            ApplicationFailure failure =
                    SshFailures.toTemporal(new SshException("worker-01", "connect", kind, "detail"));
            assertThat(failure.getType()).as(kind.name()).isIn(FailureTypes.all());
            assertThat(failure.isNonRetryable()).as(kind.name()).isEqualTo(!kind.retryable());
            assertThat(failure.getType().equals(FailureTypes.NON_RETRYABLE_NODE_FAILURE))
                    .as(kind.name())
                    .isEqualTo(!kind.retryable());
        }
    }
}
