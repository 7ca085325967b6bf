package io.groupai.fleet.rebalance;

import io.groupai.fleet.workflows.rebalance.RebalanceMove;
import io.groupai.fleet.workflows.rebalance.RebalancePlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Accounts moved by a rebalance against the minimum needed, on a few fleet shapes, with the planner's
 * time. For each shape it prints the planner's moves, the minimum (its exact band search), an
 * independent lower bound (bands around the mean usage), what a naive greedy (one account at a time from
 * the most to the least used server) moves, and the rounds the moves need at one per server. Small
 * shapes also get the exhaustive optimum. Not a unit test; run with
 * {@code ./mvnw -pl activities -am test-compile exec:java -Dexec.mainClass=io.groupai.fleet.rebalance.RebalanceBench
 * -Dexec.classpathScope=test -Dbench=activities}.
 */
public final class RebalanceBench {

    private RebalanceBench() {}

    public static void main(String[] args) {
        RebalanceSettings settings = RebalanceSettings.defaults();
        Random random = new Random(42);
        System.out.printf(
                Locale.ROOT,
                "%-58s %8s %9s %6s %8s %7s %6s %7s %7s %9s%n",
                "fleet",
                "accounts",
                "moves",
                "min",
                "lower-bd",
                "greedy",
                "exact",
                "rounds",
                "spread",
                "plan ms");
        report(
                "3 servers of 5, accounts 5/3/0 (demo shape)",
                List.of(
                        RebalancePlannerTest.server("a", 5, 5),
                        RebalancePlannerTest.server("b", 5, 3),
                        RebalancePlannerTest.server("c", 5, 0)),
                settings,
                true);
        report("4 servers (cap 3..7), random skew", RebalancePlannerTest.randomFleet(random, 4, 7), settings, true);
        report(
                "1,000 servers of 150, 100,000 accounts, skewed (zipf-like)",
                skewed(1000, 150, 100_000, random),
                settings,
                false);
        report("1,000 servers, caps 50..300, skewed", mixed(1000, 100_000, random, 0, 0), settings, false);
        report(
                "same, 50 servers' max_accounts lowered by a third",
                mixed(1000, 100_000, new Random(42), 50, 0),
                settings,
                false);
        report("same, 20 servers slow (> 2 s)", mixed(1000, 100_000, new Random(42), 0, 20), settings, false);
        report(
                "10,000 servers, caps 50..300, skewed, 100 lowered, 50 slow",
                mixed(10_000, 1_000_000, random, 100, 50),
                settings,
                false);
        // The naive greedy against the exhaustive minimum on random small fleets.
        int worse = 0;
        int compared = 0;
        Random small = new Random(20261202);
        for (int i = 0; i < 3000; i++) {
            List<FleetServer> f = RebalancePlannerTest.randomFleet(small, 1 + small.nextInt(4), 7);
            int exact = BruteForce.minimumMoves(f, settings);
            if (exact < 0) {
                continue;
            }
            compared++;
            RebalancePlan p = RebalancePlanner.plan(f, settings);
            if (p.moves().size() != exact) {
                throw new AssertionError("planner " + p.moves().size() + " != exact " + exact + " on " + f);
            }
            String g = greedy(f, settings);
            if (!g.equals(String.valueOf(exact))) {
                worse++;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "random small fleets: planner = exhaustive minimum on all %d; the greedy differs (more moves, or"
                        + " stops outside the target) on %d%n",
                compared,
                worse);
        // Warm planner time (the first runs include JIT compilation).
        List<FleetServer> fleet = mixed(1000, 100_000, new Random(7), 50, 20);
        for (int i = 0; i < 5; i++) {
            RebalancePlanner.plan(fleet, settings);
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            RebalancePlanner.plan(fleet, settings);
            best = Math.min(best, System.nanoTime() - t);
        }
        System.out.printf(
                Locale.ROOT,
                "planner, 1,000 servers (caps 50..300, 50 lowered, 20 slow), warm: best of 5 %.1f ms%n",
                best / 1e6);
    }

    static void report(String name, List<FleetServer> fleet, RebalanceSettings settings, boolean exhaustive) {
        long t = System.nanoTime();
        RebalancePlan plan = RebalancePlanner.plan(fleet, settings);
        long ms = (System.nanoTime() - t) / 1_000_000;
        Map<String, Integer> perServer = new HashMap<>();
        for (RebalanceMove m : plan.moves()) {
            perServer.merge(m.fromServerId(), 1, Integer::sum);
            perServer.merge(m.toServerId(), 1, Integer::sum);
        }
        int rounds =
                perServer.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        String exact = exhaustive ? String.valueOf(BruteForce.minimumMoves(fleet, settings)) : "-";
        System.out.printf(
                Locale.ROOT,
                "%-58s %8d %9d %6d %8d %7s %6s %7d %7s %9d%n",
                name,
                fleet.stream().mapToInt(FleetServer::count).sum(),
                plan.moves().size(),
                plan.minimumMoves(),
                plan.lowerBound(),
                greedy(fleet, settings),
                exact,
                rounds,
                plan.spreadBeforePercent() + "→" + plan.spreadAfterPercent(),
                ms);
    }

    /** Server i's share falls off as 1/(i+1)^0.7, capped by its capacity; the rest on the emptiest. */
    static List<FleetServer> skewed(int servers, int cap, int accounts, Random random) {
        double[] w = IntStream.range(0, servers)
                .mapToDouble(i -> Math.pow(i + 1, -0.7))
                .toArray();
        double sum = java.util.Arrays.stream(w).sum();
        int[] n = new int[servers];
        int left = accounts;
        for (int i = 0; i < servers && left > 0; i++) {
            n[i] = Math.min(cap, Math.min(left, (int) Math.round(accounts * w[i] / sum * 3)));
            left -= n[i];
        }
        for (int i = servers - 1; left > 0; i = (i - 1 + servers) % servers) {
            if (n[i] < cap) {
                n[i]++;
                left--;
            }
        }
        List<FleetServer> fleet = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            fleet.add(RebalancePlannerTest.server("s%05d".formatted(i), cap, n[i]));
        }
        return fleet;
    }

    /** Capacities 50..300, usage skewed between 20 % and 100 %; some max_accounts lowered, some slow. */
    static List<FleetServer> mixed(int servers, int accounts, Random random, int lowered, int slow) {
        int[] cap =
                IntStream.range(0, servers).map(i -> 50 + random.nextInt(251)).toArray();
        double[] fill = IntStream.range(0, servers)
                .mapToDouble(i -> 0.2 + 0.8 * Math.pow(random.nextDouble(), 2))
                .toArray();
        double want = 0;
        for (int i = 0; i < servers; i++) {
            want += cap[i] * fill[i];
        }
        double scale = Math.min(1.0, accounts / want);
        List<FleetServer> fleet = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            int n = (int) Math.min(cap[i], Math.round(cap[i] * fill[i] * scale));
            int max = i < lowered ? cap[i] * 2 / 3 : cap[i];
            boolean isSlow = i >= lowered && i < lowered + slow;
            String id = "m%05d".formatted(i);
            fleet.add(new FleetServer(
                    id, max, RebalancePlannerTest.accounts(id, n), 0, true, null, false, isSlow ? 2600L : 40L));
        }
        return fleet;
    }

    /**
     * The naive way: accounts over (effective) capacity go to the least used eligible server, then one
     * account at a time from the most to the least used until the spread is within the threshold (or
     * the next move would not lower it). Counts moves only.
     */
    static String greedy(List<FleetServer> fleet, RebalanceSettings settings) {
        record S(String id, int cap, int[] n) {}
        List<S> eligible = new ArrayList<>();
        int arriving = 0;
        for (FleetServer s : fleet) {
            if (BruteForce.eligible(s, settings)) {
                eligible.add(new S(s.nodeId(), s.maxAccounts(), new int[] {s.count()}));
            } else if (!s.down()) {
                arriving += Math.max(0, s.count() - BruteForce.cap(s, settings));
            }
        }
        if (eligible.isEmpty()) {
            return "-";
        }
        java.util.Comparator<S> byUsage = java.util.Comparator.comparingDouble((S s) -> (double) s.n()[0] / s.cap())
                .thenComparing(S::id);
        TreeSet<S> order = new TreeSet<>(byUsage);
        order.addAll(eligible);
        long moves = 0;
        for (int k = 0; k < arriving; k++) {
            S least = order.pollFirst();
            least.n()[0]++;
            order.add(least);
            moves++;
        }
        for (S s : eligible) {
            while (s.n()[0] > s.cap()) {
                order.remove(s);
                S least = order.pollFirst();
                s.n()[0]--;
                least.n()[0]++;
                order.add(least);
                order.add(s);
                moves++;
            }
        }
        double limit = settings.thresholdPercent() / 100.0 + 1e-12;
        for (long guard = 0; guard < 10_000_000; guard++) {
            S most = order.last();
            S least = order.first();
            double spread = (double) most.n()[0] / most.cap() - (double) least.n()[0] / least.cap();
            if (spread <= limit || most == least || least.n()[0] >= least.cap()) {
                break;
            }
            double after = Math.max((double) (most.n()[0] - 1) / most.cap(), (double) (least.n()[0] + 1) / least.cap());
            if (after >= (double) most.n()[0] / most.cap()) {
                break;
            }
            order.remove(most);
            order.remove(least);
            most.n()[0]--;
            least.n()[0]++;
            order.add(most);
            order.add(least);
            moves++;
        }
        return String.valueOf(moves);
    }
}
