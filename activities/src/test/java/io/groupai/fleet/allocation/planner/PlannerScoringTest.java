package io.groupai.fleet.allocation.planner;

import static io.groupai.fleet.allocation.planner.PlannerFixtures.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Load scores, weights and strategy names. */
class PlannerScoringTest {

    @Test
    void seedScoreFollowsTheSeedFormulaOnAWorkedExample() {
        // The seed's status example: cpu 35.5, memory 62.3, disk 45.8, 3 of 5 accounts.
        ServerCandidate s = server("worker-01", 5)
                .current(3)
                .cpu(35.5)
                .memory(62.3)
                .disk(45.8)
                .build();

        // 0.3·35.5 + 0.3·62.3 + 0.3·60 + 0.1·45.8 = 10.65 + 18.69 + 18 + 4.58
        assertThat(LoadScore.seed(s)).isCloseTo(51.92, within(1e-9));
        assertThat(LoadScore.seed(s, 3, PlannerWeights.defaults())).isCloseTo(51.92, within(1e-9));
        assertThat(LoadScore.seed(s, 5, PlannerWeights.defaults())).isCloseTo(51.92 + 0.3 * 40, within(1e-9));
    }

    @Test
    void seedScoreCountsReservedAccountsAndStaysWithinZeroToHundred() {
        ServerCandidate reserved =
                server("a", 10).current(2).reserved(3).cpu(0).memory(0).disk(0).build();
        ServerCandidate wild =
                server("b", 5).current(9).cpu(250).memory(-5).disk(100).build();
        ServerCandidate noCapacity = server("c", 0).cpu(0).memory(0).disk(0).build();

        assertThat(LoadScore.seed(reserved)).isCloseTo(15.0, within(1e-9));
        assertThat(LoadScore.seed(wild)).isCloseTo(30 + 0 + 30 + 10, within(1e-9));
        assertThat(LoadScore.seed(noCapacity)).isCloseTo(30.0, within(1e-9));
    }

    @Test
    void fourFactorScoreCombinesLoadCapacityResponseAndStability() {
        ServerCandidate s = server("a", 5)
                .current(2)
                .cpu(30)
                .memory(60)
                .disk(90)
                .latency(500)
                .failures(2)
                .build();

        // load 60, capacity 40, response 500/2000 = 25, stability 2 · 25 = 50
        assertThat(LoadScore.fourFactor(s)).isCloseTo(0.4 * 60 + 0.3 * 40 + 0.2 * 25 + 0.1 * 50, within(1e-9));

        ServerCandidate worst = server("b", 5)
                .current(5)
                .cpu(100)
                .memory(100)
                .disk(100)
                .latency(9000)
                .failures(40)
                .build();
        assertThat(LoadScore.fourFactor(worst)).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void scoresReadTheirWeightsFromPlannerWeights() {
        ServerCandidate s = server("a", 10)
                .current(5)
                .cpu(80)
                .memory(0)
                .disk(0)
                .latency(1000)
                .build();
        PlannerWeights cpuOnly = new PlannerWeights(1, 0, 0, 0, 0, 0, 1, 0, 4000, 25, ScoreModel.SEED);

        assertThat(LoadScore.seed(s, cpuOnly)).isCloseTo(80.0, within(1e-9));
        assertThat(LoadScore.fourFactor(s, cpuOnly)).isCloseTo(25.0, within(1e-9));
        assertThat(LoadScore.of(s, 5, cpuOnly.withScoreModel(ScoreModel.FOUR_FACTOR)))
                .isCloseTo(25.0, within(1e-9));
    }

    @Test
    void weightsAreValidated() {
        PlannerWeights d = PlannerWeights.defaults();
        assertThat(d.cpu()).isEqualTo(0.3);
        assertThat(d.load()).isEqualTo(0.4);
        assertThat(d.responseThresholdMillis()).isEqualTo(2000);
        assertThat(d.scoreModel()).isEqualTo(ScoreModel.SEED);

        assertThatThrownBy(() -> new PlannerWeights(-0.1, 0.3, 0.3, 0.1, 0.4, 0.3, 0.2, 0.1, 2000, 25, ScoreModel.SEED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpu");
        assertThatThrownBy(() -> new PlannerWeights(0, 0, 0, 0, 0.4, 0.3, 0.2, 0.1, 2000, 25, ScoreModel.SEED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seed score weights");
        assertThatThrownBy(() -> new PlannerWeights(0.3, 0.3, 0.3, 0.1, 0, 0, 0, 0, 2000, 25, ScoreModel.SEED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("four-factor");
        assertThatThrownBy(() -> new PlannerWeights(0.3, 0.3, 0.3, 0.1, 0.4, 0.3, 0.2, 0.1, 0, 25, ScoreModel.SEED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("responseThresholdMillis");
        assertThatThrownBy(() ->
                        new PlannerWeights(Double.NaN, 0.3, 0.3, 0.1, 0.4, 0.3, 0.2, 0.1, 10, 25, ScoreModel.SEED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void strategyNamesParseAndUnknownNamesListTheValidOnes() {
        assertThat(Strategy.parse("load_balance")).isEqualTo(Strategy.LOAD_BALANCE);
        assertThat(Strategy.parse(" Round_Robin ")).isEqualTo(Strategy.ROUND_ROBIN);
        assertThat(Strategy.ISOLATION.wireName()).isEqualTo("isolation");

        assertThatThrownBy(() -> Strategy.parse("fastest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown allocation strategy 'fastest'; valid: balanced, round_robin, least_loaded, "
                        + "load_balance, location, affinity, isolation");
        assertThatThrownBy(() -> Strategy.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("valid: balanced");
    }

    @Test
    void badServersAndDuplicateIdsAreRefused() {
        assertThatThrownBy(() -> server("a", 5).weight(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight");
        assertThatThrownBy(() -> server("a", -1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAccounts");
        Planner planner = new Planner();
        assertThatThrownBy(() -> planner.plan(
                        java.util.List.of(server("a", 5).build(), server("a", 3).build()),
                        PlannerFixtures.accounts(1),
                        Strategy.BALANCED))
                .hasMessage("duplicate server nodeId a");
        assertThatThrownBy(() -> planner.plan(
                        java.util.List.of(server("a", 5).build()),
                        java.util.List.of(AccountRequest.of("x"), AccountRequest.of("x")),
                        Strategy.BALANCED))
                .hasMessage("duplicate accountId x");
    }

    @Test
    void duplicateAccountsAreFoundAmongManyAndEqualHashesAloneAreNoDuplicate() {
        Planner planner = new Planner();
        java.util.List<ServerCandidate> servers =
                java.util.List.of(server("a", 200_000).build());
        java.util.List<AccountRequest> many = new java.util.ArrayList<>(PlannerFixtures.accounts(100_000));
        // "Aa" and "BB" share a String hash code, and so do "AaAa", "AaBB", "BBAa" and "BBBB".
        java.util.List.of("Aa", "BB", "AaAa", "AaBB", "BBAa", "BBBB").forEach(id -> many.add(AccountRequest.of(id)));
        assertThat(planner.plan(servers, many, Strategy.BALANCED).placements()).hasSize(100_006);

        many.add(AccountRequest.of("acc-00017"));
        assertThatThrownBy(() -> planner.plan(servers, many, Strategy.BALANCED))
                .hasMessage("duplicate accountId acc-00017");
        many.set(many.size() - 1, AccountRequest.of("BBAa"));
        assertThatThrownBy(() -> planner.plan(servers, many, Strategy.BALANCED)).hasMessage("duplicate accountId BBAa");
        many.set(many.size() - 1, null);
        assertThatThrownBy(() -> planner.plan(servers, many, Strategy.BALANCED))
                .isInstanceOf(NullPointerException.class);
    }
}
