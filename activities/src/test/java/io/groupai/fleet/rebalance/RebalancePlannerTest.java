package io.groupai.fleet.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.rebalance.RebalanceMove;
import io.groupai.fleet.workflows.rebalance.RebalancePlan;
import io.groupai.fleet.workflows.rebalance.RebalanceTrigger.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The rebalance planner: each trigger, and — over thousands of random small fleets — that its plan
 * is valid (nothing over capacity, spread within the target, only eligible targets, each account
 * moved once from where it is) and has exactly as many moves as an exhaustive search finds.
 */
class RebalancePlannerTest {

    private static final RebalanceSettings DEFAULTS = RebalanceSettings.defaults();

    static FleetServer server(String id, int max, int accounts) {
        return new FleetServer(id, max, accounts(id, accounts), 0, true, null, false, 50L);
    }

    static List<String> accounts(String id, int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> id + "-a" + "%04d".formatted(i))
                .toList();
    }

    @Test
    void aBalancedFleetHasNoTriggerAndNoMove() {
        RebalancePlan plan =
                RebalancePlanner.plan(List.of(server("a", 10, 5), server("b", 10, 4), server("c", 20, 8)), DEFAULTS);
        assertThat(plan.triggers()).isEmpty();
        assertThat(plan.moves()).isEmpty();
        assertThat(plan.message()).startsWith("balanced");
    }

    @Test
    void aSpreadOverThirtyPointsMovesTheFewestAccountsFromTheMostToTheLeastUsed() {
        // 80 % vs 0 %: the band of 30 points around 40 % needs a at most 7 (70 %)... the minimum is 3 moves:
        // a 8→5 (50 %), b 0→3 (30 %): spread 20. Two moves (6/2: 60 vs 20 = 40) are not enough.
        RebalancePlan plan = RebalancePlanner.plan(List.of(server("a", 10, 8), server("b", 10, 0)), DEFAULTS);
        assertThat(plan.triggers()).extracting(t -> t.kind()).containsExactly(Kind.SPREAD);
        assertThat(plan.moves())
                .hasSize(3)
                .allMatch(m -> m.fromServerId().equals("a") && m.toServerId().equals("b"));
        assertThat(plan.minimumMoves()).isEqualTo(3);
        assertThat(plan.spreadAfterPercent()).isLessThanOrEqualTo(30);
        assertThat(plan.moves()).extracting(RebalanceMove::cause).containsOnly(Kind.SPREAD);
    }

    @Test
    void lowerMaxAccountsMovesExactlyTheExcessAndNothingElse() {
        RebalancePlan plan =
                RebalancePlanner.plan(List.of(server("a", 5, 8), server("b", 10, 6), server("c", 10, 5)), DEFAULTS);
        assertThat(plan.triggers()).extracting(t -> t.kind()).contains(Kind.OVER_CAPACITY);
        assertThat(plan.moves()).hasSize(3).allMatch(m -> m.fromServerId().equals("a"));
        assertThat(plan.moves()).extracting(RebalanceMove::cause).containsOnly(Kind.OVER_CAPACITY);
    }

    @Test
    void aSlowServerReceivesNothingAndShedsDownToHalfItsCapacity() {
        FleetServer slow = new FleetServer("slow", 10, accounts("slow", 8), 0, true, null, false, 2500L);
        RebalancePlan plan = RebalancePlanner.plan(List.of(slow, server("b", 10, 4), server("c", 10, 4)), DEFAULTS);
        assertThat(plan.triggers()).extracting(t -> t.kind()).containsExactly(Kind.SLOW_RESPONSE);
        assertThat(plan.moves()).hasSize(3).allMatch(m -> m.fromServerId().equals("slow"));
        assertThat(plan.moves()).extracting(RebalanceMove::toServerId).doesNotContain("slow");
    }

    @Test
    void aDownServerIsLeftToFailoverAndSaysSo() {
        FleetServer down = new FleetServer("dead", 10, accounts("dead", 9), 0, false, "down", true, null);
        RebalancePlan plan = RebalancePlanner.plan(List.of(down, server("b", 10, 0)), DEFAULTS);
        assertThat(plan.moves()).isEmpty();
        assertThat(plan.skipped())
                .singleElement()
                .satisfies(s -> assertThat(s.reason()).contains("failover"));
    }

    /** Right after a control-plane restart every lease may have lapsed: nothing is down, and no failover runs. */
    @Test
    void aServerWhoseLeaseLapsedIsNotCalledDown() {
        FleetServer lapsed = new FleetServer(
                "a", 10, accounts("a", 3), 0, false, "server a's lease expired at 2026-12-02T10:40:31Z", true, null);
        RebalancePlan plan = RebalancePlanner.plan(List.of(lapsed, server("b", 10, 0)), DEFAULTS);
        assertThat(plan.moves()).isEmpty();
        assertThat(plan.skipped())
                .singleElement()
                .satisfies(s -> assertThat(s.reason())
                        .contains("lease expired", "not a rebalance's")
                        .doesNotContain("is down"));
    }

    @Test
    void whenCapacitiesCannotReachTheThresholdTheBestReachableSpreadIsTheTarget() {
        // 3 accounts on two servers of 3: 2/1 is 33.3 points apart, the best there is.
        RebalancePlan plan = RebalancePlanner.plan(List.of(server("a", 3, 3), server("b", 3, 0)), DEFAULTS);
        assertThat(plan.moves()).hasSize(1);
        assertThat(plan.targetSpreadPercent()).isEqualTo(33.4);
        assertThat(plan.message()).contains("out of reach");
    }

    @Test
    void maxMovesDefersTheRestWithAReason() {
        RebalancePlan plan =
                RebalancePlanner.plan(List.of(server("a", 100, 90), server("b", 100, 0)), DEFAULTS.withMaxMoves(10));
        assertThat(plan.minimumMoves()).isEqualTo(30);
        assertThat(plan.moves()).hasSize(10);
        assertThat(plan.skipped()).hasSize(20).allMatch(s -> s.reason().startsWith("deferred"));
    }

    @Test
    void accountsWithoutRoomAreReportedNotDropped() {
        FleetServer draining = new FleetServer("old", 0, accounts("old", 5), 0, false, "draining", false, null);
        RebalancePlan plan = RebalancePlanner.plan(List.of(draining, server("b", 3, 1)), DEFAULTS);
        assertThat(plan.moves()).hasSize(2);
        assertThat(plan.skipped())
                .singleElement()
                .satisfies(s -> assertThat(s.reason()).contains("no room"));
    }

    @Test
    void accountsHeldByAnOperationDoNotMove() {
        FleetServer busy = new FleetServer("a", 10, accounts("a", 2), 6, true, null, false, 10L);
        RebalancePlan plan = RebalancePlanner.plan(List.of(busy, server("b", 10, 0)), DEFAULTS);
        assertThat(plan.moves()).allMatch(m -> m.accountId().startsWith("a-a"));
        assertThat(plan.moves().size()).isLessThanOrEqualTo(2);
    }

    @Test
    void theSameFleetGivesTheSamePlan() {
        Random random = new Random(7);
        List<FleetServer> fleet = randomFleet(random, 40, 60);
        RebalancePlan one = RebalancePlanner.plan(fleet, DEFAULTS);
        RebalancePlan two = RebalancePlanner.plan(fleet.reversed(), DEFAULTS);
        assertThat(two.moves()).isEqualTo(one.moves());
    }

    /** Property check: valid and minimal (equal to the exhaustive optimum) on random small fleets. */
    @Test
    void onRandomSmallFleetsThePlanIsValidAndHasExactlyTheMinimumNumberOfMoves() {
        Random random = new Random(20261202);
        int checked = 0;
        int nonTrivial = 0;
        for (int round = 0; round < 3000; round++) {
            int threshold = List.of(0, 10, 20, 30, 50).get(random.nextInt(5));
            RebalanceSettings settings = DEFAULTS.withThreshold(threshold);
            List<FleetServer> fleet = randomFleet(random, 1 + random.nextInt(4), 7);
            int exact = BruteForce.minimumMoves(fleet, settings);
            if (exact < 0) {
                continue; // not enough room: covered by accountsWithoutRoomAreReportedNotDropped
            }
            RebalancePlan plan = RebalancePlanner.plan(fleet, settings);
            assertValid(fleet, settings, plan);
            assertThat(plan.moves())
                    .as("fleet %s, threshold %d: %s", fleet, threshold, plan.message())
                    .hasSize(exact);
            assertThat(plan.minimumMoves()).isEqualTo(exact);
            assertThat(plan.lowerBound()).isLessThanOrEqualTo(exact);
            checked++;
            if (exact > 0) {
                nonTrivial++;
            }
        }
        assertThat(checked).isGreaterThan(2000);
        assertThat(nonTrivial).isGreaterThan(500);
    }

    /** Larger random fleets (too big to search): the plan is valid and never below the lower bound. */
    @Test
    void onRandomLargerFleetsThePlanIsValid() {
        Random random = new Random(99);
        for (int round = 0; round < 60; round++) {
            List<FleetServer> fleet = randomFleet(random, 2 + random.nextInt(60), 120);
            RebalancePlan plan = RebalancePlanner.plan(fleet, DEFAULTS);
            if (plan.skipped().stream().anyMatch(s -> s.reason().contains("room"))) {
                continue;
            }
            assertValid(fleet, DEFAULTS, plan);
            assertThat(plan.moves().size()).isGreaterThanOrEqualTo(plan.lowerBound());
        }
    }

    static List<FleetServer> randomFleet(Random random, int eligible, int maxCap) {
        List<FleetServer> fleet = new ArrayList<>();
        for (int i = 0; i < eligible; i++) {
            int cap = 1 + random.nextInt(maxCap);
            int n = random.nextInt(cap + 1 + (random.nextInt(5) == 0 ? 3 : 0));
            fleet.add(server("e" + i, cap, n));
        }
        int others = random.nextInt(3);
        for (int i = 0; i < others; i++) {
            int cap = random.nextInt(maxCap);
            int n = random.nextInt(cap + 4);
            boolean slow = random.nextBoolean();
            fleet.add(new FleetServer(
                    "x" + i, cap, accounts("x" + i, n), 0, slow, slow ? null : "draining", false, slow ? 3000L : 100L));
        }
        return fleet;
    }

    /** Nothing over capacity, spread within the target, eligible targets only, each account once from its server. */
    static void assertValid(List<FleetServer> fleet, RebalanceSettings settings, RebalancePlan plan) {
        Map<String, FleetServer> byId = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        Map<String, String> where = new HashMap<>();
        for (FleetServer s : fleet) {
            byId.put(s.nodeId(), s);
            count.put(s.nodeId(), s.count());
            s.accounts().forEach(a -> where.put(a, s.nodeId()));
        }
        Set<String> moved = new HashSet<>();
        for (RebalanceMove m : plan.moves()) {
            assertThat(moved.add(m.accountId())).as("moved once: " + m).isTrue();
            assertThat(where.get(m.accountId())).as(m.toString()).isEqualTo(m.fromServerId());
            assertThat(BruteForce.eligible(byId.get(m.toServerId()), settings))
                    .as("target eligible: " + m)
                    .isTrue();
            count.merge(m.fromServerId(), -1, Integer::sum);
            count.merge(m.toServerId(), 1, Integer::sum);
        }
        List<FleetServer> eligible =
                fleet.stream().filter(s -> BruteForce.eligible(s, settings)).toList();
        for (FleetServer s : fleet) {
            if (!s.down()) {
                assertThat(count.get(s.nodeId()))
                        .as("%s within capacity: %s", s.nodeId(), plan.message())
                        .isLessThanOrEqualTo(BruteForce.cap(s, settings));
            }
        }
        double max = eligible.stream()
                .mapToDouble(s -> (double) count.get(s.nodeId()) / s.maxAccounts())
                .max()
                .orElse(0);
        double min = eligible.stream()
                .mapToDouble(s -> (double) count.get(s.nodeId()) / s.maxAccounts())
                .min()
                .orElse(0);
        assertThat(100 * (max - min))
                .as(plan.message() + " " + fleet + " " + plan.moves())
                .isLessThanOrEqualTo(plan.targetSpreadPercent() + 1e-6);
    }
}
