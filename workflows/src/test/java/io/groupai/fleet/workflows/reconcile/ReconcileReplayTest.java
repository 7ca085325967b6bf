package io.groupai.fleet.workflows.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A {@link ReconcileWorkflow} run started before the reconciliation was paged replays on today's code: its
 * history (a repair over a live node, a second one and a dead one judged by its heartbeat, with a release, two
 * stops, a restart with an upload, a directory removal and a duplicate; recorded with the code of main at
 * 57e892a) takes the unpaged path the {@code paged-reconcile} version marker keeps.
 */
class ReconcileReplayTest {

    private static final String UNPAGED = "unpaged-reconcile-history.json";

    @Test
    void aRunStartedBeforePagingReplaysOnItsOriginalPath() throws Exception {
        String history = read(UNPAGED);
        assertThat(history)
                .contains("ReconcileServers", "ReconcileSnapshot")
                .doesNotContain(ReconcileWorkflowImpl.PAGED);

        WorkflowReplayer.replayWorkflowExecution(history, ReconcileWorkflowImpl.class);
    }

    /** The replay does check the commands: a history whose first step is not what the code does is refused. */
    @Test
    void aHistoryTheCodeDoesNotMatchIsRefused() throws Exception {
        String other = read(UNPAGED).replace("\"ReconcileSnapshot\"", "\"ReconcilePageSnapshot\"");

        assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecution(other, ReconcileWorkflowImpl.class))
                .hasMessageContaining("ReconcilePageSnapshot");
    }

    private static String read(String name) throws IOException {
        try (InputStream in = ReconcileReplayTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
