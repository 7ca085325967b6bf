package io.groupai.fleet.rebalance;

import io.groupai.fleet.workflows.rebalance.RebalanceMove;
import io.groupai.fleet.workflows.rebalance.RebalancePlan;
import io.groupai.fleet.workflows.rebalance.RebalanceSkip;
import io.groupai.fleet.workflows.rebalance.RebalanceTrigger;
import io.groupai.fleet.workflows.rebalance.RebalanceTrigger.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * Plans the fewest account moves that fix what triggers a rebalance (seed §2.2.1). Pure and
 * deterministic: the same fleet gives the same plan.
 *
 * <h2>The problem</h2>
 * Servers are <em>eligible</em> (may receive: active, healthy, answered, lease valid, not slow, capacity
 * above 0), <em>down</em> (failover's job: left alone), or neither (draining, disabled, unhealthy, slow:
 * they receive nothing). Usage is {@code accounts / max_accounts}. A plan must end with
 * <ul>
 *   <li>every server at or below its capacity: {@code max_accounts}, or for a slow server (last probe
 *       slower than 2 s) {@code slow-capacity-percent} of it (default half): a slow server sheds load but
 *       is not emptied on one bad reading;
 *   <li>the spread between the most and the least used eligible server at most the threshold
 *       (default 30 percentage points), or — where capacities make that impossible (one account on two
 *       servers of three is 33 points apart however it is placed) — at most the smallest spread any
 *       layout reaches, in steps of 0.1 points.
 * </ul>
 * Accounts leave a non-eligible server only above its capacity (that is the cause to fix), and land only
 * on eligible servers.
 *
 * <h2>The fewest moves</h2>
 * Every final layout puts the eligible usages in some band {@code [L, L+w]}: server {@code i} (capacity
 * {@code c}, {@code n} accounts) must end between {@code lo = ceil(L·c)} and {@code hi = min(c,
 * floor((L+w)·c))}. For a band, with {@code R} accounts arriving from non-eligible servers,
 * {@code E = Σ(n−hi)⁺} that must leave eligible servers and {@code D = Σ(lo−n)⁺} that must arrive, the
 * fewest moves are exactly {@code R + max(E, D−R)} when {@code Σlo ≤ N ≤ Σhi}: every leaving account
 * moves once, surplus goes to servers below {@code hi}, shortfall comes from servers above {@code lo}.
 * That value only changes where some {@code lo} or {@code hi} steps, at {@code L = k/c} or
 * {@code L = k/c − w}, and the left end of each step is at least as good as its inside, so trying those
 * points finds the optimum (among those where every server has some count inside the band). The band
 * holds the mean usage μ (a capacity-weighted average of the final usages), so only edges in
 * {@code [μ−w, μ]} are tried; {@code E} falls and {@code D} rises with {@code L}, so a binary search finds
 * their crossing. Rational arithmetic throughout (longs); spreads in steps of 0.1 point.
 * Tests compare it with an exhaustive search over small random fleets.
 */
public final class RebalancePlanner {

    /** Spread steps: thousandths of usage (0.1 percentage point). */
    private static final long SCALE = 1000;

    private RebalancePlanner() {}

    /** A server in planning: n accounts now, m once planned, capacity cap (derated when slow). */
    private static final class Node {
        final FleetServer server;
        final int n;
        final int cap;
        final boolean eligible;
        final boolean slow;
        int lo;
        int hi;
        int m;
        int nextAccount;

        Node(FleetServer server, int cap, boolean eligible, boolean slow) {
            this.server = server;
            this.n = server.count();
            this.cap = cap;
            this.eligible = eligible;
            this.slow = slow;
        }

        String id() {
            return server.nodeId();
        }
    }

    /** A non-negative rational p/q. */
    private record Frac(long p, long q) implements Comparable<Frac> {
        @Override
        public int compareTo(Frac o) {
            return Long.compare(p * o.q, o.p * q);
        }
    }

    public static RebalancePlan plan(List<FleetServer> fleet, RebalanceSettings settings) {
        long started = System.nanoTime();
        List<FleetServer> servers =
                fleet.stream().sorted(Comparator.comparing(FleetServer::nodeId)).toList();
        List<RebalanceTrigger> triggers = new ArrayList<>();
        List<RebalanceSkip> skipped = new ArrayList<>();
        List<Node> eligible = new ArrayList<>();
        List<Node> sources = new ArrayList<>();
        Map<String, Node> byId = new HashMap<>();

        for (FleetServer s : servers) {
            if (s.down()) {
                if (s.count() > 0) {
                    // Say which: a lease that just lapsed (the control plane was down itself, say) is no failover.
                    skipped.add(
                            new RebalanceSkip(
                                    null,
                                    s.nodeId(),
                                    s.notEligible() == null
                                            ? "server is down: its failover moves its " + s.count()
                                                    + " accounts, not a rebalance"
                                            : s.notEligible() + "; its " + s.count()
                                                    + " accounts are not a rebalance's to move (failover's, if the server is marked down)"));
                }
                continue;
            }
            boolean slow = s.latencyMillis() != null && s.latencyMillis() > settings.slowMillis();
            int cap = slow ? (int) ((long) s.maxAccounts() * settings.slowCapacityPercent() / 100) : s.maxAccounts();
            Node node = new Node(s, cap, s.eligible() && !slow && s.maxAccounts() > 0, slow);
            byId.put(s.nodeId(), node);
            if (slow) {
                triggers.add(new RebalanceTrigger(
                        Kind.SLOW_RESPONSE,
                        s.nodeId(),
                        "last probe answered in " + s.latencyMillis() + " ms (over " + settings.slowMillis()
                                + " ms): it receives no accounts and keeps at most " + cap + " ("
                                + settings.slowCapacityPercent() + " % of " + s.maxAccounts() + "); it has "
                                + node.n));
            } else if (node.n > s.maxAccounts()) {
                triggers.add(new RebalanceTrigger(
                        Kind.OVER_CAPACITY,
                        s.nodeId(),
                        node.n + " accounts, max_accounts " + s.maxAccounts()
                                + (node.eligible ? "" : " (" + s.notEligible() + ")")));
            }
            if (node.eligible) {
                eligible.add(node);
            } else if (node.n > node.cap) {
                sources.add(node);
            }
        }
        double spreadBefore = spread(eligible, false);
        int threshold = settings.thresholdPercent();
        if (spreadBefore > threshold + 1e-9) {
            Node most = eligible.stream()
                    .max(Comparator.comparingDouble(RebalancePlanner::usage))
                    .orElseThrow();
            Node least = eligible.stream()
                    .min(Comparator.comparingDouble(RebalancePlanner::usage))
                    .orElseThrow();
            triggers.add(new RebalanceTrigger(
                    Kind.SPREAD,
                    null,
                    "usage spread " + pct(spreadBefore) + " points (" + most.id() + " " + pct(100 * usage(most))
                            + " %, " + least.id() + " " + pct(100 * usage(least)) + " %) is over " + threshold));
        }
        if (triggers.isEmpty()) {
            return result(
                    triggers,
                    List.of(),
                    skipped,
                    0,
                    0,
                    threshold,
                    threshold,
                    spreadBefore,
                    spreadBefore,
                    started,
                    settings,
                    "balanced: spread " + pct(spreadBefore) + " points (threshold " + threshold
                            + "), no server over capacity or slow");
        }

        // Accounts that must leave non-eligible servers, most urgent first: over capacity, then slow.
        sources.sort(Comparator.comparing((Node s) -> s.slow).thenComparing(Node::id));
        long ne = eligible.stream().mapToLong(s -> s.n).sum();
        long capacity = eligible.stream().mapToLong(s -> s.cap).sum();
        long required = sources.stream().mapToLong(s -> s.n - s.cap).sum();
        if (eligible.isEmpty() || ne > capacity) {
            String why = eligible.isEmpty()
                    ? "no eligible server to move accounts to"
                    : "the eligible servers hold " + ne + " accounts for " + capacity
                            + " places together: add servers or raise max_accounts";
            for (Node s : sources) {
                skipped.add(new RebalanceSkip(null, s.id(), (s.n - s.cap) + " accounts over capacity stay: " + why));
            }
            return result(
                    triggers,
                    List.of(),
                    skipped,
                    0,
                    0,
                    threshold,
                    threshold,
                    spreadBefore,
                    spreadBefore,
                    started,
                    settings,
                    "nothing can move: " + why);
        }
        long room = capacity - ne;
        long arriving = Math.min(required, room);
        // What each source sends, in priority order; the rest has no room.
        Map<Node, Integer> sends = new HashMap<>();
        long left = arriving;
        for (Node s : sources) {
            int send = (int) Math.min(left, s.n - s.cap);
            sends.put(s, send);
            left -= send;
            if (send < s.n - s.cap) {
                skipped.add(new RebalanceSkip(
                        null,
                        s.id(),
                        (s.n - s.cap - send) + " accounts over its capacity stay: no room left on eligible servers"));
            }
        }
        long total = ne + arriving;

        // Eligible servers grouped by capacity: the band's Σlo and Σhi depend on capacity only.
        Map<Integer, Integer> perCap = new HashMap<>();
        eligible.forEach(s -> perCap.merge(s.cap, 1, Integer::sum));
        int[] caps =
                perCap.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        long[] counts = Arrays.stream(caps).mapToLong(perCap::get).toArray();

        // The narrowest band (in 0.1-point steps, at least the threshold) some layout fits in.
        long t = Math.min(SCALE, SCALE * threshold / 100);
        if (candidates(caps, counts, total, capacity, t).length == 0) {
            long lowT = t;
            t = firstTrueLong(lowT + 1, SCALE, w -> candidates(caps, counts, total, capacity, w).length > 0);
        }
        final long width = t;
        Frac[] cand = candidates(caps, counts, total, capacity, width);
        int first = 0;
        int last = cand.length - 1;
        long r = arriving;
        int cross = firstTrue(
                first, last + 1, i -> i > last || deficit(eligible, cand[i]) - r >= excess(eligible, cand[i], width));
        int best = -1;
        long bestMoves = Long.MAX_VALUE;
        for (int i : new int[] {cross - 1, cross}) {
            if (i >= first && i <= last) {
                long moves = r + Math.max(excess(eligible, cand[i], width), deficit(eligible, cand[i]) - r);
                if (moves < bestMoves) {
                    bestMoves = moves;
                    best = i;
                }
            }
        }
        Frac band = cand[best];
        for (Node s : eligible) {
            s.lo = lo(s.cap, band);
            s.hi = hi(s.cap, band, width);
            s.m = Math.max(s.lo, Math.min(s.hi, s.n));
        }
        long diff = total - eligible.stream().mapToLong(s -> s.m).sum();
        if (diff > 0) {
            // Surplus goes where usage stays lowest; it costs no move (these accounts leave anyway).
            PriorityQueue<Node> room2 = new PriorityQueue<>(
                    Comparator.comparingDouble((Node s) -> (s.m + 1.0) / s.cap).thenComparing(Node::id));
            eligible.stream().filter(s -> s.m < s.hi).forEach(room2::add);
            for (; diff > 0 && !room2.isEmpty(); diff--) {
                Node s = room2.poll();
                s.m++;
                if (s.m < s.hi) {
                    room2.add(s);
                }
            }
        } else if (diff < 0) {
            // Shortfall comes from the most used servers that can spare a movable account.
            PriorityQueue<Node> spare =
                    new PriorityQueue<>(Comparator.comparingDouble((Node s) -> -(double) s.m / s.cap)
                            .thenComparing(Node::id));
            eligible.stream()
                    .filter(s -> s.m > s.lo && s.n - s.m < s.server.accounts().size())
                    .forEach(spare::add);
            for (; diff < 0 && !spare.isEmpty(); diff++) {
                Node s = spare.poll();
                s.m--;
                if (s.m > s.lo && s.n - s.m < s.server.accounts().size()) {
                    spare.add(s);
                }
            }
        }
        int minimum = (int) (arriving
                + eligible.stream().mapToLong(s -> Math.max(0, s.n - s.m)).sum());

        // Pair what leaves with what arrives: over capacity first, then slow, then spread; targets lowest usage first.
        record Out(Node from, int count, Kind cause) {}
        List<Out> outs = new ArrayList<>();
        for (Node s : sources) {
            if (sends.get(s) > 0) {
                outs.add(new Out(s, sends.get(s), s.slow ? Kind.SLOW_RESPONSE : Kind.OVER_CAPACITY));
            }
        }
        List<Node> shedding = eligible.stream()
                .filter(s -> s.n > s.m)
                .sorted(Comparator.comparingDouble((Node s) -> -usage(s)).thenComparing(Node::id))
                .toList();
        for (Node s : shedding) {
            int over = Math.max(0, Math.min(s.n - s.m, s.n - s.cap));
            if (over > 0) {
                outs.add(new Out(s, over, Kind.OVER_CAPACITY));
            }
        }
        for (Node s : shedding) {
            int spreadPart = s.n - s.m - Math.max(0, Math.min(s.n - s.m, s.n - s.cap));
            if (spreadPart > 0) {
                outs.add(new Out(s, spreadPart, Kind.SPREAD));
            }
        }
        outs.sort(Comparator.comparingInt((Out o) -> o.cause().ordinal()));
        List<Node> receiving = eligible.stream()
                .filter(s -> s.m > s.n)
                .sorted(Comparator.comparingDouble(RebalancePlanner::usage).thenComparing(Node::id))
                .toList();
        int[] need = receiving.stream().mapToInt(s -> s.m - s.n).toArray();
        List<RebalanceMove> moves = new ArrayList<>();
        int target = 0;
        for (Out out : outs) {
            List<String> movable = out.from().server.accounts();
            for (int k = 0; k < out.count(); k++) {
                while (target < receiving.size() && need[target] == 0) {
                    target++;
                }
                if (target == receiving.size()) {
                    break;
                }
                if (out.from().nextAccount >= movable.size()) {
                    skipped.add(new RebalanceSkip(
                            null,
                            out.from().id(),
                            (out.count() - k) + " accounts should leave but are held by operations in flight; "
                                    + "the next run moves them"));
                    break;
                }
                need[target]--;
                moves.add(new RebalanceMove(
                        movable.get(out.from().nextAccount++),
                        out.from().id(),
                        receiving.get(target).id(),
                        out.cause()));
            }
        }
        List<RebalanceMove> kept = moves;
        if (settings.maxMoves() > 0 && moves.size() > settings.maxMoves()) {
            kept = moves.subList(0, settings.maxMoves());
            for (RebalanceMove m : moves.subList(settings.maxMoves(), moves.size())) {
                skipped.add(new RebalanceSkip(
                        m.accountId(),
                        m.fromServerId(),
                        "deferred: max_moves " + settings.maxMoves() + " reached (it would go to " + m.toServerId()
                                + "); the next run plans it again"));
            }
        }
        // The spread once the kept moves are done.
        Map<String, Integer> after = new HashMap<>();
        eligible.forEach(s -> after.put(s.id(), s.n));
        for (RebalanceMove m : kept) {
            after.computeIfPresent(m.fromServerId(), (k, v) -> v - 1);
            after.computeIfPresent(m.toServerId(), (k, v) -> v + 1);
        }
        double spreadAfter = eligible.isEmpty()
                ? 0
                : 100
                        * (eligible.stream()
                                        .mapToDouble(s -> (double) after.get(s.id()) / s.cap)
                                        .max()
                                        .orElse(0)
                                - eligible.stream()
                                        .mapToDouble(s -> (double) after.get(s.id()) / s.cap)
                                        .min()
                                        .orElse(0));
        int bound = lowerBound(eligible, total, arriving, width);
        double targetSpread = 100.0 * width / SCALE;
        String message = triggers.size() + " trigger(s); " + kept.size() + " move(s)"
                + (kept.size() < moves.size() ? " of " + moves.size() + " (max_moves)" : "") + ", the minimum is "
                + minimum + " (lower bound " + bound + "); spread " + pct(spreadBefore) + " → " + pct(spreadAfter)
                + " points"
                + (width > SCALE * threshold / 100
                        ? " (" + threshold + " is out of reach with these capacities: the best is " + pct(targetSpread)
                                + ")"
                        : "");
        return result(
                triggers,
                kept,
                skipped,
                minimum,
                bound,
                threshold,
                targetSpread,
                spreadBefore,
                spreadAfter,
                started,
                settings,
                message);
    }

    /**
     * A lower bound on the fewest moves that does not search: the final band contains the mean usage
     * μ (a capacity-weighted average of the final usages), so no server may end above μ+w nor below μ−w.
     */
    static int lowerBound(List<Node> eligible, long total, long arriving, long width) {
        long capacity = eligible.stream().mapToLong(s -> s.cap).sum();
        if (capacity == 0) {
            return (int) arriving;
        }
        long out = 0;
        long in = 0;
        for (Node s : eligible) {
            // floor((μ + w)·c) and ceil((μ − w)·c) with μ = total/capacity, w = width/SCALE, exactly.
            long den = SCALE * capacity;
            long hi = Math.min(s.cap, Math.floorDiv((SCALE * total + width * capacity) * s.cap, den));
            long lo = Math.max(0, Math.ceilDiv((SCALE * total - width * capacity) * s.cap, den));
            out += Math.max(0, s.n - hi);
            in += Math.max(0, lo - s.n);
        }
        return (int) (arriving + Math.max(out, in - arriving));
    }

    private static RebalancePlan result(
            List<RebalanceTrigger> triggers,
            List<RebalanceMove> moves,
            List<RebalanceSkip> skipped,
            int minimum,
            int bound,
            int threshold,
            double targetSpread,
            double before,
            double after,
            long started,
            RebalanceSettings settings,
            String message) {
        return new RebalancePlan(
                triggers,
                moves,
                skipped,
                minimum,
                bound,
                threshold,
                round(targetSpread),
                round(before),
                round(after),
                (System.nanoTime() - started) / 1_000_000,
                settings.maxParallel(),
                settings.maxPerServer(),
                message);
    }

    private static long excess(List<Node> eligible, Frac band, long width) {
        long e = 0;
        for (Node s : eligible) {
            e += Math.max(0, s.n - hi(s.cap, band, width));
        }
        return e;
    }

    private static long deficit(List<Node> eligible, Frac band) {
        long d = 0;
        for (Node s : eligible) {
            d += Math.max(0, lo(s.cap, band) - s.n);
        }
        return d;
    }

    /** Whether some layout of {@code total} accounts has all usages within a band of this width. */
    /**
     * The lower edges worth trying for a band of this width, in L-order: where some lo or hi steps, within
     * [μ − w, μ] (the mean usage μ is a capacity-weighted average of the final usages, so the band holds
     * it), where Σlo ≤ total ≤ Σhi (both rise with L: one run, found by binary search) and where every
     * server has some count inside the band (only a capacity c with c·w < 1 can miss: a wider band always
     * holds some k/c). Empty when no layout fits the width.
     */
    private static Frac[] candidates(int[] caps, long[] counts, long total, long capacity, long width) {
        Frac mean = reduce(total, capacity);
        long lowP = SCALE * total - width * capacity;
        Frac lowest = lowP <= 0 ? new Frac(0, 1) : reduce(lowP, SCALE * capacity);
        TreeSet<Frac> points = new TreeSet<>();
        for (int c : caps) {
            long from = Math.ceilDiv(lowest.p() * c, lowest.q());
            long to = Math.min(c, Math.floorDiv(mean.p() * c, mean.q()));
            for (long k = from; k <= to; k++) {
                points.add(reduce(k, c));
            }
            // k/c − w inside the window
            from = Math.ceilDiv((SCALE * lowest.p() + width * lowest.q()) * c, SCALE * lowest.q());
            to = Math.min(c, Math.floorDiv((SCALE * mean.p() + width * mean.q()) * c, SCALE * mean.q()));
            for (long k = from; k <= to; k++) {
                long p = SCALE * k - width * c;
                if (p >= 0) {
                    points.add(reduce(p, SCALE * c));
                }
            }
        }
        Frac[] window = points.toArray(Frac[]::new);
        int first = firstTrue(
                0, window.length, i -> i == window.length || sum(caps, counts, window[i], width, true) >= total);
        int last = firstTrue(
                        0, window.length, i -> i == window.length || sum(caps, counts, window[i], width, false) > total)
                - 1;
        List<Frac> ok = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            boolean fits = true;
            for (int c : caps) {
                if (c * width >= SCALE) {
                    break; // caps are sorted: every larger one has a count in the band
                }
                if (lo(c, window[i]) > hi(c, window[i], width)) {
                    fits = false;
                    break;
                }
            }
            if (fits) {
                ok.add(window[i]);
            }
        }
        return ok.toArray(Frac[]::new);
    }

    /** Σhi (or Σlo) over the eligible servers for a band. */
    private static long sum(int[] caps, long[] counts, Frac band, long width, boolean hi) {
        long sum = 0;
        for (int i = 0; i < caps.length; i++) {
            sum += counts[i] * (hi ? hi(caps[i], band, width) : lo(caps[i], band));
        }
        return sum;
    }

    /** Fewest accounts on a server of capacity c whose usage is at least L. */
    private static int lo(int c, Frac band) {
        return (int) Math.min(c, Math.ceilDiv(band.p() * c, band.q()));
    }

    /** Most accounts on a server of capacity c whose usage is at most L + width/SCALE. */
    private static int hi(int c, Frac band, long width) {
        return (int) Math.min(c, Math.floorDiv((SCALE * band.p() + width * band.q()) * c, SCALE * band.q()));
    }

    private static Frac reduce(long p, long q) {
        long g = gcd(p, q);
        return new Frac(p / g, q / g);
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a == 0 ? 1 : a;
    }

    /** The first index in [from, to] where a monotone (false…true) predicate holds; to must hold. */
    private static int firstTrue(int from, int to, java.util.function.IntPredicate p) {
        int lo = from;
        int hi = to;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (p.test(mid)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static long firstTrueLong(long from, long to, java.util.function.LongPredicate p) {
        long lo = from;
        long hi = to;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (p.test(mid)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static double usage(Node s) {
        return (double) s.n / s.cap;
    }

    /** Spread among eligible servers in percentage points (final counts when {@code planned}). */
    private static double spread(List<Node> eligible, boolean planned) {
        if (eligible.size() < 2) {
            return 0;
        }
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (Node s : eligible) {
            double u = (double) (planned ? s.m : s.n) / s.cap;
            max = Math.max(max, u);
            min = Math.min(min, u);
        }
        return 100 * (max - min);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
