package io.groupai.fleet.allocation.planner;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Throughput check of every strategy: 100,000 accounts on 1,000 servers and 1,000,000 accounts on 10,000 servers,
 * each strategy warmed up first, then timed several times; prints every run and min/median per strategy of the
 * wall time and of the planning thread's CPU time plus GC pauses (steadier on a shared machine). Not a
 * unit test (no JUnit); run with
 * {@code ./mvnw -pl activities -am test-compile exec:java -Dexec.mainClass=io.groupai.fleet.allocation.planner.PlannerBench
 * -Dexec.classpathScope=test -Dbench=activities}, under {@code taskset -c 0} to hold it to one core.
 * Optional args (one case instead of both): accounts servers [runs [warmups]];
 * {@code -Dplanner.bench.only=location,affinity} times only the named variants (for profiling one strategy).
 */
public final class PlannerBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private record Variant(String name, Planner planner, Strategy strategy) {}

    private PlannerBench() {}

    public static void main(String[] args) {
        if (args.length >= 2) {
            run(
                    Integer.parseInt(args[0]),
                    Integer.parseInt(args[1]),
                    args.length > 2 ? Integer.parseInt(args[2]) : 5,
                    args.length > 3 ? Integer.parseInt(args[3]) : 3);
        } else {
            run(100_000, 1_000, 7, 5);
            run(1_000_000, 10_000, 5, 3);
        }
    }

    private static void run(int accountCount, int serverCount, int runs, int warmups) {
        Random random = new Random(2026); // the bench's data only; the planner itself has no randomness
        List<ServerCandidate> servers = servers(serverCount, random);
        List<AccountRequest> accounts = accounts(accountCount, random);
        long room = servers.stream()
                .mapToLong(s -> s.maxAccounts() - s.committedAccounts())
                .sum();
        System.out.printf(
                "accounts=%d, servers=%d, cpus=%d, free_slots=%d, warmups=%d, runs=%d%n",
                accountCount, serverCount, Runtime.getRuntime().availableProcessors(), room, warmups, runs);

        List<Variant> variants = new ArrayList<>();
        Planner planner = new Planner();
        for (Strategy strategy : Strategy.values()) {
            variants.add(new Variant(strategy.wireName(), planner, strategy));
        }
        variants.add(new Variant(
                "load_balance(four_factor)",
                new Planner(PlannerWeights.defaults().withScoreModel(ScoreModel.FOUR_FACTOR)),
                Strategy.LOAD_BALANCE));

        String only = System.getProperty("planner.bench.only");
        if (only != null) {
            List<String> wanted = List.of(only.split(","));
            variants.removeIf(v -> !wanted.contains(v.name()));
        }
        List<String> summary = new ArrayList<>();
        for (Variant v : variants) {
            for (int i = 0; i < warmups; i++) { // let the JIT compile the hot paths first
                check(v.planner().plan(servers, accounts, v.strategy()), accountCount);
            }
            double[] ms = new double[runs];
            double[] cpuMs = new double[runs];
            for (int i = 0; i < runs; i++) {
                long gcBefore = gcMillis();
                long cpuBefore = THREADS.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                Plan plan = v.planner().plan(servers, accounts, v.strategy());
                ms[i] = (System.nanoTime() - start) / 1e6;
                // CPU time of this thread plus GC pauses: what the plan cost the core, whoever else was queued on it.
                cpuMs[i] = (THREADS.getCurrentThreadCpuTime() - cpuBefore) / 1e6 + (gcMillis() - gcBefore);
                check(plan, accountCount);
                System.out.printf(
                        "  strategy=%s, run=%d, ms=%.1f, cpu_plus_gc_ms=%.1f%n", v.name(), i + 1, ms[i], cpuMs[i]);
            }
            summary.add(String.format(
                    "%-26s wall_ms min=%7.1f median=%7.1f   cpu_plus_gc_ms min=%7.1f median=%7.1f",
                    v.name(), min(ms), median(ms), min(cpuMs), median(cpuMs)));
        }
        System.out.printf("summary: %,d accounts on %,d servers, one plan each%n", accountCount, serverCount);
        summary.forEach(line -> System.out.println("  " + line));
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .filter(t -> t > 0)
                .sum();
    }

    private static void check(Plan plan, int accountCount) {
        if (plan.placements().size() != accountCount) {
            throw new IllegalStateException(
                    "expected every account placed, got " + plan.placements().size());
        }
    }

    private static List<ServerCandidate> servers(int n, Random random) {
        String[] locations = {"LosAngeles", "Manila", "Tokyo", "Frankfurt", "Singapore"};
        List<ServerCandidate> servers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int max = 120 + random.nextInt(101);
            servers.add(new ServerCandidate(
                    String.format("node-%05d", i),
                    max,
                    random.nextInt(21),
                    random.nextInt(3),
                    1 + random.nextInt(3) * 0.5,
                    locations[i % locations.length],
                    random.nextDouble() * 90,
                    random.nextDouble() * 90,
                    random.nextDouble() * 90,
                    20 + random.nextInt(3000),
                    random.nextInt(10) == 0 ? random.nextInt(4) : 0,
                    true,
                    ServerState.ACTIVE,
                    java.util.Map.of("script-" + (i % 50), 1 + random.nextInt(5))));
        }
        return servers;
    }

    private static List<AccountRequest> accounts(int n, Random random) {
        String[] preferences = {"Los Angeles", "manila", "TOKYO", "frankfurt", "singapore", null};
        List<AccountRequest> accounts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            accounts.add(new AccountRequest(
                    "acc-" + i, "script-" + random.nextInt(60), preferences[random.nextInt(preferences.length)]));
        }
        return accounts;
    }
}
