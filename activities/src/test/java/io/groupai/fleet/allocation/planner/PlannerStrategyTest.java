package io.groupai.fleet.allocation.planner;

import static io.groupai.fleet.allocation.planner.PlannerFixtures.accounts;
import static io.groupai.fleet.allocation.planner.PlannerFixtures.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One test per strategy, showing the behaviour that defines it. */
class PlannerStrategyTest {

    private final Planner planner = new Planner();

    private static List<String> nodes(Plan plan) {
        return plan.placements().stream().map(Placement::nodeId).toList();
    }

    @Test
    void roundRobinCyclesInNodeIdOrderAndContinuesFromTheReturnedCursor() {
        List<ServerCandidate> servers = List.of(
                server("c", 10).build(),
                server("a", 10).build(),
                server("b", 10).build());

        Plan first = planner.plan(servers, accounts(5), Strategy.ROUND_ROBIN, RoundRobinCursor.START);
        assertThat(nodes(first)).containsExactly("a", "b", "c", "a", "b");
        assertThat(first.nextCursor()).isEqualTo(RoundRobinCursor.at("c"));

        Plan second = planner.plan(servers, accounts(2), Strategy.ROUND_ROBIN, first.nextCursor());
        assertThat(nodes(second)).containsExactly("c", "a");
        assertThat(second.nextCursor()).isEqualTo(RoundRobinCursor.at("b"));
    }

    @Test
    void roundRobinSkipsFullAndIneligibleServersAndSurvivesAVanishedCursorServer() {
        List<ServerCandidate> servers = List.of(
                server("a", 10).build(),
                server("b", 2).current(2).build(),
                server("c", 10).state(ServerState.DRAINING).build(),
                server("d", 1).build(),
                server("e", 10).build());

        // "bb" is no longer in the fleet: continue at the next nodeId after it, which is d (c is draining).
        Plan plan = planner.plan(servers, accounts(5), Strategy.ROUND_ROBIN, RoundRobinCursor.at("bb"));

        assertThat(nodes(plan)).containsExactly("d", "e", "a", "e", "a");
        assertThat(plan.placements().getFirst().reason()).startsWith("round_robin: next in turn");
    }

    @Test
    void leastLoadedPicksTheLowestUsageRatioNotTheFewestAccounts() {
        List<ServerCandidate> servers = List.of(
                server("a", 10).current(4).build(), // 40 %
                server("b", 5).current(3).build(), // 60 %, but fewest accounts
                server("c", 20).current(5).build()); // 25 %

        Plan leastLoaded = planner.plan(servers, accounts(1), Strategy.LEAST_LOADED);
        Plan balanced = planner.plan(servers, accounts(1), Strategy.BALANCED);

        assertThat(nodes(leastLoaded)).containsExactly("c");
        assertThat(nodes(balanced)).containsExactly("b");
    }

    @Test
    void loadBalancePicksTheLowestSeedScoreAndReScoresAfterEachAccount() {
        ServerCandidate busy = server("a", 10).cpu(80).memory(80).disk(80).build();
        ServerCandidate idle = server("b", 10).cpu(10).memory(10).disk(10).build();
        ServerCandidate medium = server("c", 10).cpu(20).memory(20).disk(20).build();

        Plan plan = planner.plan(List.of(busy, idle, medium), accounts(4), Strategy.LOAD_BALANCE);

        // Seed scores: b 7, c 14, a 56. Each account on a server of 10 adds 0.3 · 10 % = 3 points.
        assertThat(nodes(plan)).containsExactly("b", "b", "b", "c");
        Placement first = plan.placements().getFirst();
        assertThat(first.loadScore())
                .isCloseTo(LoadScore.seed(idle), within(1e-9))
                .isCloseTo(7.0, within(1e-9));
        assertThat(plan.placements().get(2).loadScore()).isCloseTo(13.0, within(1e-9));
        assertThat(plan.placements().get(3).loadScore()).isCloseTo(14.0, within(1e-9));
        assertThat(first.reason())
                .isEqualTo("load_balance: lowest load score for its weight; load score 7.0, now 1/10");

        Plan more = planner.plan(List.of(busy, idle, medium), accounts(6), Strategy.LOAD_BALANCE);
        // Then b 16 < c 17, then c 17 < b 19.
        assertThat(nodes(more)).containsExactly("b", "b", "b", "c", "b", "c");
    }

    @Test
    void loadBalanceCanRankByTheFourFactorScore() {
        ServerCandidate slow =
                server("a", 10).cpu(10).memory(10).disk(10).latency(4000).build();
        ServerCandidate fast =
                server("b", 10).cpu(20).memory(20).disk(20).latency(50).build();
        Planner fourFactor = new Planner(PlannerWeights.defaults().withScoreModel(ScoreModel.FOUR_FACTOR));

        assertThat(nodes(planner.plan(List.of(slow, fast), accounts(1), Strategy.LOAD_BALANCE)))
                .containsExactly("a");
        assertThat(nodes(fourFactor.plan(List.of(slow, fast), accounts(1), Strategy.LOAD_BALANCE)))
                .containsExactly("b");
    }

    @Test
    void locationPrefersTheMatchingLocationThenSpillsToTheLeastLoaded() {
        List<ServerCandidate> servers = List.of(
                server("worker-01", 1).location("LosAngeles").cpu(50).build(),
                server("los-angeles", 1).location("los-angeles").cpu(60).build(),
                server("manila", 5).location("Manila").cpu(0).build(),
                server("tokyo", 5).location("Tokyo").cpu(5).build());
        List<AccountRequest> accounts = List.of(
                new AccountRequest("a1", null, "Los Angeles"),
                new AccountRequest("a2", null, "los_angeles"),
                new AccountRequest("a3", null, "LOSANGELES"),
                new AccountRequest("a4", null, null),
                new AccountRequest("a5", null, "tokyo"));

        Plan plan = planner.plan(servers, accounts, Strategy.LOCATION);

        // Seed scores: worker-01 28, los-angeles 31, manila 13, tokyo 14.5 (manila 19 once it holds one).
        assertThat(nodes(plan)).containsExactly("worker-01", "los-angeles", "manila", "tokyo", "tokyo");
        assertThat(plan.placements().get(0).reason()).startsWith("location: in preferred location Los Angeles");
        assertThat(plan.placements().get(2).reason())
                .startsWith("location: no server with room in LOSANGELES; lowest load score elsewhere");
        assertThat(plan.placements().get(3).reason()).startsWith("location: no location preference");
    }

    @Test
    void affinityGroupsAccountsOfTheSameScriptAndSpillsByLoad() {
        List<ServerCandidate> servers = List.of(
                server("a", 3).current(2).script("welcome", 2).cpu(90).build(),
                server("b", 10)
                        .current(1)
                        .script("welcome", 1)
                        .script("quiz", 1)
                        .cpu(80)
                        .build(),
                server("c", 10).cpu(0).build(),
                server("d", 10).cpu(5).build());
        List<AccountRequest> accounts = List.of(
                new AccountRequest("w1", "welcome", null), // a runs most welcome accounts
                new AccountRequest("w2", "welcome", null), // a is full now: b also runs welcome
                new AccountRequest("q1", "quiz", null), // b runs quiz
                new AccountRequest("n1", "news", null), // nobody runs news: lowest load (c)
                new AccountRequest("n2", "news", null), // ...and then with n1 on c
                new AccountRequest("n3", "news", null),
                new AccountRequest("x1", null, null)); // no script: lowest load, d (c has taken 3)

        Plan plan = planner.plan(servers, accounts, Strategy.AFFINITY);

        assertThat(nodes(plan)).containsExactly("a", "b", "b", "c", "c", "c", "d");
        assertThat(plan.placements().get(0).reason()).startsWith("affinity: runs most accounts of script welcome (2)");
        assertThat(plan.placements().get(3).reason()).startsWith("affinity: no server running script news has room");
    }

    @Test
    void isolationAvoidsRecentlyFailedServersThenPrefersFewerFailures() {
        List<ServerCandidate> servers = List.of(
                server("flaky", 10).failures(3).cpu(0).memory(0).disk(0).build(),
                server("shaky", 10).failures(1).cpu(0).memory(0).disk(0).build(),
                server("solid", 2).failures(0).cpu(90).memory(90).disk(90).build());

        Plan plan = planner.plan(servers, accounts(13), Strategy.ISOLATION);

        assertThat(nodes(plan).subList(0, 2)).containsOnly("solid");
        assertThat(nodes(plan).subList(2, 12)).containsOnly("shaky");
        assertThat(nodes(plan).get(12)).isEqualTo("flaky");
        assertThat(plan.placements().get(2).reason()).contains("every server with room failed recently");
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aWeightTwoServerTakesAboutTwiceTheShare(Strategy strategy) {
        List<ServerCandidate> servers = List.of(
                server("heavy", 100).weight(2).build(),
                server("light", 100).weight(1).build());

        Plan plan = planner.plan(servers, accounts(30), strategy);

        assertThat(plan.plannedPerServer().get("heavy")).isBetween(19, 21);
        assertThat(plan.plannedPerServer().get("light")).isBetween(9, 11);
    }

    @Test
    void weightYieldsToCapacity() {
        List<ServerCandidate> servers = List.of(
                server("heavy", 5).weight(4).build(),
                server("light", 100).weight(1).build());

        Plan plan = planner.plan(servers, accounts(20), Strategy.BALANCED);

        assertThat(plan.plannedPerServer()).containsEntry("heavy", 5).containsEntry("light", 15);
    }
}
