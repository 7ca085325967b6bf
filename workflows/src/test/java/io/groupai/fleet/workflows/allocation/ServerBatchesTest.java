package io.groupai.fleet.workflows.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a chunk's placements are cut into server batches ({@link AllocateChunkWorkflowImpl#batches}). */
class ServerBatchesTest {

    @Test
    void eachServersAccountsAreCutIntoEvenBatchesTakenRoundRobinInPlanOrder() {
        List<PlannedPlacement> placements = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            placements.add(new PlannedPlacement("a" + i, "s1", 0));
        }
        for (int i = 0; i < 21; i++) {
            placements.add(new PlannedPlacement("b" + i, "s2", 0));
        }
        placements.add(new PlannedPlacement("c0", "s3", 0));

        List<List<PlannedPlacement>> batches = AllocateChunkWorkflowImpl.batches(placements, 10);

        // 13 = 7 + 6 (not 10 + 3), 21 = 7 + 7 + 7, 1 = 1; the first batches reach every server
        assertThat(batches)
                .extracting(b -> b.get(0).serverId() + ":" + b.size())
                .containsExactly("s1:7", "s2:7", "s3:1", "s1:6", "s2:7", "s2:7");
        assertThat(batches.stream().flatMap(List::stream).map(PlannedPlacement::accountId))
                .containsExactlyInAnyOrderElementsOf(
                        placements.stream().map(PlannedPlacement::accountId).toList());
        assertThat(batches.get(0)).extracting(PlannedPlacement::accountId).startsWith("a0", "a1");
        assertThat(batches.get(3)).extracting(PlannedPlacement::accountId).endsWith("a12");
    }

    @Test
    void noBatchIsLargerThanTheLimit() {
        List<PlannedPlacement> placements = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            placements.add(new PlannedPlacement("x" + i, "only", 0));
        }
        assertThat(AllocateChunkWorkflowImpl.batches(placements, AllocateChunkWorkflowImpl.BATCH_SIZE))
                .hasSize(25)
                .allSatisfy(b -> assertThat(b).hasSize(10));
    }
}
