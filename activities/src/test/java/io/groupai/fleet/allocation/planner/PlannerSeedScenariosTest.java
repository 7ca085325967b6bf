package io.groupai.fleet.allocation.planner;

import static io.groupai.fleet.allocation.planner.PlannerFixtures.accounts;
import static io.groupai.fleet.allocation.planner.PlannerFixtures.seedServers;
import static io.groupai.fleet.allocation.planner.PlannerFixtures.server;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The seed's scenarios: 3 servers of 5 accounts (worker-01, los-angeles, manila). */
class PlannerSeedScenariosTest {

    private final Planner planner = new Planner();

    @Test
    void eightAccountsOnThreeServersOfFiveAreSpreadThreeThreeTwo() {
        Plan plan = planner.plan(seedServers(), accounts(8), Strategy.BALANCED);

        // Ties go by nodeId: los-angeles < manila < worker-01.
        assertThat(plan.plannedPerServer())
                .containsExactlyInAnyOrderEntriesOf(Map.of("los-angeles", 3, "manila", 3, "worker-01", 2));
        assertThat(plan.unplaced()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(
            value = Strategy.class,
            names = {"BALANCED", "ROUND_ROBIN", "LEAST_LOADED", "LOAD_BALANCE"})
    void eightAccountsGiveThreeThreeTwoUnderEveryBalancingStrategy(Strategy strategy) {
        Plan plan = planner.plan(seedServers(), accounts(8), strategy);

        assertThat(plan.plannedPerServer().values()).containsExactlyInAnyOrder(3, 3, 2);
    }

    @ParameterizedTest
    @EnumSource(
            value = Strategy.class,
            names = {"BALANCED", "ROUND_ROBIN", "LEAST_LOADED", "LOAD_BALANCE"})
    void tenAccountsAreSpreadEvenlyAndNoServerGoesOverMax(Strategy strategy) {
        Plan plan = planner.plan(seedServers(), accounts(10), strategy);

        assertThat(plan.plannedPerServer().values())
                .containsExactlyInAnyOrder(4, 3, 3)
                .allMatch(c -> c <= 5);
        assertThat(plan.placements()).hasSize(10);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void fiftyAccountsOnFifteenSlotsPlaceFifteenAndExplainTheRest(Strategy strategy) {
        Plan plan = planner.plan(seedServers(), accounts(50), strategy);

        assertThat(plan.placements()).hasSize(15);
        assertThat(plan.plannedPerServer().values()).containsOnly(5);
        assertThat(plan.unplaced())
                .hasSize(35)
                .allSatisfy(
                        u -> assertThat(u.reason()).isEqualTo("no capacity: all 3 eligible servers are full (15/15)"));
        // The first 15 requested accounts are the ones placed.
        assertThat(plan.unplaced().getFirst().accountId()).isEqualTo("acc-00015");
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aFullServerIsNeverChosen(Strategy strategy) {
        List<ServerCandidate> servers = List.of(
                server("worker-01", 5).current(5).cpu(0).memory(0).disk(0).build(),
                server("los-angeles", 5).current(3).reserved(2).build(), // full through reservations
                server("manila", 5).current(7).build(), // over capacity, as the seed's 7/5 files showed
                server("tokyo", 5).cpu(90).memory(90).build());

        Plan plan = planner.plan(servers, accounts(8), strategy);

        assertThat(plan.plannedPerServer()).containsOnlyKeys("tokyo").containsEntry("tokyo", 5);
        assertThat(plan.unplaced())
                .hasSize(3)
                .allSatisfy(
                        u -> assertThat(u.reason()).isEqualTo("no capacity: all 4 eligible servers are full (22/20)"));
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void drainingDisabledDownAndUnhealthyServersAreNeverChosen(Strategy strategy) {
        List<ServerCandidate> servers = List.of(
                server("worker-01", 50).state(ServerState.DOWN).build(),
                server("manila", 50).state(ServerState.DRAINING).build(),
                server("los-angeles", 50).state(ServerState.DISABLED).build(),
                server("tokyo", 50).healthy(false).build(),
                server("zurich", 3).cpu(99).memory(99).failures(5).build());

        Plan plan = planner.plan(servers, accounts(5), strategy);

        assertThat(plan.plannedPerServer()).containsOnlyKeys("zurich");
        assertThat(plan.unplaced())
                .hasSize(2)
                .allSatisfy(u -> assertThat(u.reason())
                        .isEqualTo(
                                "no capacity: all 1 eligible server is full (3/3); not eligible: los-angeles is disabled, "
                                        + "manila is draining, tokyo is unhealthy, worker-01 is down"));
    }

    @Test
    void withoutAnyUsableServerTheReasonNamesEachServersState() {
        List<ServerCandidate> servers = List.of(
                server("worker-01", 5).state(ServerState.DOWN).build(),
                server("manila", 5).state(ServerState.DRAINING).build(),
                server("los-angeles", 5).healthy(false).build());

        Plan plan = planner.plan(servers, accounts(2), Strategy.LOAD_BALANCE);

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.unplaced())
                .extracting(Unplaced::reason)
                .containsOnly("no eligible server: los-angeles is unhealthy, manila is draining, worker-01 is down");
        assertThat(planner.plan(List.of(), accounts(1), Strategy.BALANCED)
                        .unplaced()
                        .getFirst()
                        .reason())
                .isEqualTo("no eligible server: no servers were offered");
    }

    @Test
    void aLongListOfUnusableServersIsCutShort() {
        List<ServerCandidate> servers = java.util.stream.IntStream.range(0, 14)
                .mapToObj(i -> server(String.format("n%02d", i), 5)
                        .state(ServerState.DOWN)
                        .build())
                .toList();

        Plan plan = planner.plan(servers, accounts(1), Strategy.BALANCED);

        assertThat(plan.unplaced().getFirst().reason())
                .isEqualTo("no eligible server: n00 is down, n01 is down, "
                        + "n02 is down, n03 is down, n04 is down, n05 is down, n06 is down, n07 is down, n08 is down, "
                        + "n09 is down and 4 more");
    }
}
