package io.groupai.fleet.allocation.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Throughput check: 100,000 accounts on 1,000 servers. Not a unit test (no JUnit); run with
 * {@code ./mvnw -pl activities -am test-compile exec:java -Dexec.mainClass=io.groupai.fleet.allocation.planner.PlannerBench
 * -Dexec.classpathScope=test}, under {@code taskset -c 0} to hold it to one core.
 * Optional args: accounts servers runs.
 */
public final class PlannerBench {

    private PlannerBench() {
    }

    public static void main(String[] args) {
        int accountCount = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int serverCount = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;

        Random random = new Random(2026); // the bench's data only; the planner itself has no randomness
        List<ServerCandidate> servers = servers(serverCount, random);
        List<AccountRequest> accounts = accounts(accountCount, random);
        long room = servers.stream().mapToLong(s -> s.maxAccounts() - s.committedAccounts()).sum();
        System.out.printf("cpus=%d, free_slots=%d%n", Runtime.getRuntime().availableProcessors(), room);

        Planner planner = new Planner();
        List<Strategy> strategies = List.of(Strategy.LOAD_BALANCE, Strategy.BALANCED, Strategy.LEAST_LOADED,
                Strategy.ROUND_ROBIN, Strategy.LOCATION, Strategy.AFFINITY, Strategy.ISOLATION);
        for (Strategy strategy : strategies) {
            for (int i = 0; i < 5; i++) { // warm-up: let the JIT compile the hot paths first
                check(planner.plan(servers, accounts, strategy), accountCount);
            }
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                Plan plan = planner.plan(servers, accounts, strategy);
                long nanos = System.nanoTime() - start;
                check(plan, accountCount);
                System.out.printf("strategy=%s, accounts=%d, servers=%d, ms=%.1f, placements_per_s=%.0f%n",
                        strategy.wireName(), accountCount, serverCount, nanos / 1e6,
                        plan.placements().size() / (nanos / 1e9));
            }
        }
        Planner fourFactor = new Planner(PlannerWeights.defaults().withScoreModel(ScoreModel.FOUR_FACTOR));
        for (int i = 0; i < 5 + runs; i++) {
            long start = System.nanoTime();
            Plan plan = fourFactor.plan(servers, accounts, Strategy.LOAD_BALANCE);
            long nanos = System.nanoTime() - start;
            check(plan, accountCount);
            if (i >= 5) {
                System.out.printf("strategy=load_balance(four_factor), accounts=%d, servers=%d, ms=%.1f, "
                        + "placements_per_s=%.0f%n", accountCount, serverCount, nanos / 1e6,
                        plan.placements().size() / (nanos / 1e9));
            }
        }
    }

    private static void check(Plan plan, int accountCount) {
        if (plan.placements().size() != accountCount) {
            throw new IllegalStateException("expected every account placed, got " + plan.placements().size());
        }
    }

    private static List<ServerCandidate> servers(int n, Random random) {
        String[] locations = {"LosAngeles", "Manila", "Tokyo", "Frankfurt", "Singapore"};
        List<ServerCandidate> servers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int max = 120 + random.nextInt(101);
            servers.add(new ServerCandidate(String.format("node-%04d", i), max, random.nextInt(21),
                    random.nextInt(3), 1 + random.nextInt(3) * 0.5, locations[i % locations.length],
                    random.nextDouble() * 90, random.nextDouble() * 90, random.nextDouble() * 90,
                    20 + random.nextInt(3000), random.nextInt(10) == 0 ? random.nextInt(4) : 0, true,
                    ServerState.ACTIVE, java.util.Map.of("script-" + (i % 50), 1 + random.nextInt(5))));
        }
        return servers;
    }

    private static List<AccountRequest> accounts(int n, Random random) {
        String[] preferences = {"Los Angeles", "manila", "TOKYO", "frankfurt", "singapore", null};
        List<AccountRequest> accounts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            accounts.add(new AccountRequest("acc-" + i, "script-" + random.nextInt(60),
                    preferences[random.nextInt(preferences.length)]));
        }
        return accounts;
    }
}
