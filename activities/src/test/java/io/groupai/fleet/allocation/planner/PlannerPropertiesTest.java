package io.groupai.fleet.allocation.planner;

import static io.groupai.fleet.allocation.planner.PlannerFixtures.accounts;
import static io.groupai.fleet.allocation.planner.PlannerFixtures.server;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Determinism and invariants over many generated inputs (seeded, so failures reproduce). */
class PlannerPropertiesTest {

    private static final String[] LOCATIONS = {"LosAngeles", "los-angeles", "Manila", "tokyo", null};
    private static final String[] SCRIPTS = {"welcome", "quiz", "news", null};

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void samePlanForSameInputAndForAnyServerOrder(Strategy strategy) {
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            List<ServerCandidate> servers = randomServers(random);
            List<AccountRequest> accounts = randomAccounts(random);
            RoundRobinCursor cursor = new RoundRobinCursor("s" + random.nextInt(12), random.nextInt(3));
            Planner planner = new Planner(
                    random.nextBoolean()
                            ? PlannerWeights.defaults()
                            : PlannerWeights.defaults().withScoreModel(ScoreModel.FOUR_FACTOR));

            Plan plan = planner.plan(servers, accounts, strategy, cursor);
            List<ServerCandidate> shuffled = new ArrayList<>(servers);
            Collections.shuffle(shuffled, random);

            assertThat(planner.plan(servers, accounts, strategy, cursor)).isEqualTo(plan);
            assertThat(planner.plan(shuffled, accounts, strategy, cursor)).isEqualTo(plan);
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void noServerExceedsItsMaxAndEveryAccountIsPlacedOnceOrExplained(Strategy strategy) {
        Random random = new Random(42 + strategy.ordinal());
        for (int round = 0; round < 300; round++) {
            List<ServerCandidate> servers = randomServers(random);
            List<AccountRequest> accounts = randomAccounts(random);
            Planner planner = new Planner(
                    random.nextBoolean()
                            ? PlannerWeights.defaults()
                            : PlannerWeights.defaults().withScoreModel(ScoreModel.FOUR_FACTOR));

            Plan plan = planner.plan(servers, accounts, strategy, RoundRobinCursor.at("s" + random.nextInt(12)));

            Map<String, ServerCandidate> byId = new HashMap<>();
            servers.forEach(s -> byId.put(s.nodeId(), s));
            plan.plannedPerServer().forEach((nodeId, planned) -> {
                ServerCandidate s = byId.get(nodeId);
                assertThat(s.usable())
                        .as("%s chosen while %s/healthy=%s", nodeId, s.state(), s.healthy())
                        .isTrue();
                assertThat(s.committedAccounts() + planned)
                        .as("%s over max", nodeId)
                        .isLessThanOrEqualTo(s.maxAccounts());
            });

            List<String> seen = new ArrayList<>();
            plan.placements().forEach(p -> seen.add(p.accountId()));
            plan.unplaced().forEach(u -> {
                seen.add(u.accountId());
                assertThat(u.reason()).matches("no (capacity|eligible server): .+");
            });
            assertThat(seen)
                    .containsExactlyInAnyOrderElementsOf(
                            accounts.stream().map(AccountRequest::accountId).toList());
            plan.placements().forEach(p -> assertThat(p.reason()).startsWith(strategy.wireName() + ": "));

            if (!plan.unplaced().isEmpty()) {
                // Nothing is left unplaced while an eligible server still has room.
                long room = servers.stream()
                        .filter(ServerCandidate::usable)
                        .mapToLong(s -> Math.max(0, s.maxAccounts() - s.committedAccounts()))
                        .sum();
                assertThat(plan.placements()).hasSize((int) room);
            }
        }
    }

    @Test
    void roundRobinAcrossSeveralPlansMatchesOnePlan() {
        List<ServerCandidate> servers = List.of(
                server("a", 50).weight(2).build(),
                server("b", 50).build(),
                server("c", 50).weight(3).build());
        List<AccountRequest> all = accounts(40);
        Planner planner = new Planner();

        Plan whole = planner.plan(servers, all, Strategy.ROUND_ROBIN);
        List<Placement> pieces = new ArrayList<>();
        RoundRobinCursor cursor = RoundRobinCursor.START;
        for (int from = 0; from < all.size(); from += 7) {
            // Servers carry no planned counts between plans here; they never fill up, so order is all that matters.
            Plan part = planner.plan(
                    servers, all.subList(from, Math.min(all.size(), from + 7)), Strategy.ROUND_ROBIN, cursor);
            pieces.addAll(part.placements());
            cursor = part.nextCursor();
        }

        assertThat(pieces.stream().map(Placement::nodeId).toList())
                .isEqualTo(whole.placements().stream().map(Placement::nodeId).toList());
    }

    private static List<ServerCandidate> randomServers(Random random) {
        int n = random.nextInt(9);
        Set<String> ids = new HashSet<>();
        List<ServerCandidate> servers = new ArrayList<>();
        ServerState[] states = ServerState.values();
        for (int i = 0; i < n; i++) {
            String id = "s" + random.nextInt(12);
            if (!ids.add(id)) {
                continue;
            }
            int max = random.nextInt(8);
            PlannerFixtures.Server s = server(id, max)
                    .current(random.nextInt(max + 2))
                    .reserved(random.nextInt(3) == 0 ? random.nextInt(3) : 0)
                    .weight(1 + random.nextInt(3) * 0.5)
                    .location(LOCATIONS[random.nextInt(LOCATIONS.length)])
                    .cpu(random.nextInt(101))
                    .memory(random.nextInt(101))
                    .disk(random.nextInt(101))
                    .latency(random.nextInt(5000))
                    .failures(random.nextInt(4) == 0 ? random.nextInt(5) : 0)
                    .healthy(random.nextInt(8) != 0)
                    .state(random.nextInt(4) == 0 ? states[random.nextInt(states.length)] : ServerState.ACTIVE);
            if (random.nextBoolean()) {
                s.script(SCRIPTS[random.nextInt(3)], random.nextInt(4));
            }
            servers.add(s.build());
        }
        return servers;
    }

    private static List<AccountRequest> randomAccounts(Random random) {
        int n = random.nextInt(40);
        List<AccountRequest> accounts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            accounts.add(new AccountRequest(
                    "acc-" + i,
                    SCRIPTS[random.nextInt(SCRIPTS.length)],
                    random.nextInt(3) == 0 ? "Los Angeles" : LOCATIONS[random.nextInt(LOCATIONS.length)]));
        }
        return accounts;
    }
}
