package io.groupai.fleet.allocation.planner;

import static io.groupai.fleet.allocation.planner.PlannerFixtures.accounts;
import static io.groupai.fleet.allocation.planner.PlannerFixtures.seedServers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A plan and its placements behave as plain values, however the planner stores them. */
class PlanValuesTest {

    @Test
    void aPlanEqualsTheSamePlanBuiltFromReadyMadePlacements() {
        Plan plan = new Planner().plan(seedServers(), accounts(8), Strategy.BALANCED);

        List<Placement> copies = new ArrayList<>();
        plan.placements().forEach(p -> copies.add(new Placement(p.accountId(), p.nodeId(), p.loadScore(), p.reason())));
        Plan rebuilt = new Plan(plan.strategy(), copies, plan.unplaced(), plan.nextCursor());

        assertThat(rebuilt).isEqualTo(plan).hasSameHashCodeAs(plan);
        assertThat(plan).isEqualTo(rebuilt);
        assertThat(rebuilt.toString()).isEqualTo(plan.toString());
        Placement first = plan.placements().getFirst();
        assertThat(first).isEqualTo(copies.getFirst()).hasSameHashCodeAs(copies.getFirst());
        assertThat(first.toString())
                .isEqualTo("Placement[accountId=acc-00000, nodeId=los-angeles, "
                        + "loadScore=19.000000000000004, reason=balanced: fewest accounts for its weight; load score 19.0, "
                        + "now 1/5]");
    }

    @Test
    void placementsCannotBeChanged() {
        Plan plan = new Planner().plan(seedServers(), accounts(2), Strategy.LOAD_BALANCE);

        assertThatThrownBy(() -> plan.placements().add(new Placement("x", "manila", 0, "r")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> plan.placements().remove(0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> plan.placements().get(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
