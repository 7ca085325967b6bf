package io.groupai.fleet.allocation.planner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Pure placement planner: given servers, accounts and a {@link Strategy}, decides which server each account
 * goes to. No I/O, clocks or randomness; the same input always gives the same plan, whatever the order of the
 * servers. Reserving the capacity it plans is the caller's job (the database is the authority on counts).
 *
 * <p>Eligible servers are ACTIVE, healthy and below {@code maxAccounts} counting current + reserved + already
 * planned accounts; no other server is ever chosen and no server is planned past its maximum. Accounts are placed
 * in request order; each placement re-ranks only the server that took it (O(log m)), so a plan costs about
 * O(n log m) for n accounts on m servers.
 */
public final class Planner {

    /** Servers listed by name in an unplaced reason before it says "and N more". */
    private static final int MAX_NAMED_SERVERS = 10;

    private static final Comparator<ServerCandidate> BY_NODE_ID = Comparator.comparing(ServerCandidate::nodeId);

    private final PlannerWeights weights;

    public Planner(PlannerWeights weights) {
        this.weights = Objects.requireNonNull(weights, "weights");
    }

    /** A planner with {@link PlannerWeights#defaults()}. */
    public Planner() {
        this(PlannerWeights.defaults());
    }

    public PlannerWeights weights() {
        return weights;
    }

    /** Plans with round robin starting at the smallest nodeId. */
    public Plan plan(List<ServerCandidate> servers, List<AccountRequest> accounts, Strategy strategy) {
        return plan(servers, accounts, strategy, RoundRobinCursor.START);
    }

    /**
     * Plans placements.
     *
     * @param cursor where round robin continues (ignored by other strategies, and returned unchanged by them)
     * @throws IllegalArgumentException on duplicate nodeIds or accountIds
     */
    public Plan plan(
            List<ServerCandidate> servers, List<AccountRequest> accounts, Strategy strategy, RoundRobinCursor cursor) {
        Objects.requireNonNull(servers, "servers");
        Objects.requireNonNull(accounts, "accounts");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(cursor, "cursor");
        AccountRequest[] requests = accounts.toArray(AccountRequest[]::new);
        requireUniqueAccounts(requests);

        // List.sort is stable, so equal nodeIds would keep input order; duplicates are refused below anyway.
        List<ServerCandidate> ordered = new ArrayList<>(servers);
        ordered.sort(BY_NODE_ID);
        List<ServerSlot> eligible = new ArrayList<>();
        for (int rank = 0; rank < ordered.size(); rank++) {
            ServerCandidate server = ordered.get(rank);
            if (rank > 0 && ordered.get(rank - 1).nodeId().equals(server.nodeId())) {
                throw new IllegalArgumentException("duplicate server nodeId " + server.nodeId());
            }
            ServerSlot slot = new ServerSlot(server, eligible.size());
            if (server.usable() && !slot.full()) {
                eligible.add(slot);
            }
        }

        Selector selector = selector(strategy, eligible, cursor);
        long room = 0;
        for (ServerSlot slot : eligible) {
            room += slot.max - slot.count;
        }
        PlacementColumns placements = new PlacementColumns(
                strategy, requests, eligible.toArray(ServerSlot[]::new), (int) Math.min(requests.length, room));
        List<Unplaced> unplaced = new ArrayList<>();
        String noRoom = null;
        for (int i = 0; i < requests.length; i++) {
            AccountRequest account = requests[i];
            Selector.Choice choice = selector.choose(account);
            if (choice == null) {
                // Every strategy falls back to any eligible server, so a miss means all are full for good:
                // the reason is the same for the rest of the plan.
                if (noRoom == null) {
                    noRoom = noRoomReason(ordered, eligible);
                }
                unplaced.add(new Unplaced(account.accountId(), noRoom));
                continue;
            }
            ServerSlot slot = choice.slot();
            double score = LoadScore.of(slot.server, slot.count, weights);
            slot.count++;
            placements.add(i, slot, score, choice);
            selector.placed(account, slot);
        }
        return new Plan(strategy, placements, unplaced, selector.cursor(cursor));
    }

    private Selector selector(Strategy strategy, List<ServerSlot> eligible, RoundRobinCursor cursor) {
        return switch (strategy) {
            case BALANCED -> RankedSelector.balanced(eligible);
            case ROUND_ROBIN -> new RoundRobinSelector(eligible, cursor);
            case LEAST_LOADED -> RankedSelector.leastLoaded(eligible);
            case LOAD_BALANCE -> RankedSelector.loadBalance(eligible, weights);
            case LOCATION -> new LocationSelector(eligible, weights);
            case AFFINITY -> new AffinitySelector(eligible, weights);
            case ISOLATION -> RankedSelector.isolation(eligible, weights);
        };
    }

    /**
     * "no capacity: all 3 eligible servers are full (15/15)" when usable servers exist, else
     * "no eligible server: worker-01 is down, manila is draining"; the unusable servers are appended to the
     * capacity message too, since an operator fixing capacity will want to know about them.
     */
    static String noRoomReason(List<ServerCandidate> orderedServers, List<ServerSlot> eligibleAtStart) {
        if (orderedServers.isEmpty()) {
            return "no eligible server: no servers were offered";
        }
        long used = 0;
        long max = 0;
        int usable = 0;
        List<String> unusable = new ArrayList<>();
        for (ServerCandidate server : orderedServers) {
            String why = server.unusableReason();
            if (why != null) {
                unusable.add(why);
            } else {
                usable++;
                used += server.committedAccounts();
                max += server.maxAccounts();
            }
        }
        // Planned accounts live in the slots; full-at-start servers are already at their committed count.
        for (ServerSlot slot : eligibleAtStart) {
            used += slot.count - slot.server.committedAccounts();
        }
        if (usable == 0) {
            return "no eligible server: " + joinLimited(unusable);
        }
        String capacity = "no capacity: all " + usable + " eligible server" + (usable == 1 ? " is" : "s are")
                + " full (" + used + "/" + max + ")";
        return unusable.isEmpty() ? capacity : capacity + "; not eligible: " + joinLimited(unusable);
    }

    private static String joinLimited(List<String> items) {
        if (items.size() <= MAX_NAMED_SERVERS) {
            return String.join(", ", items);
        }
        return String.join(", ", items.subList(0, MAX_NAMED_SERVERS)) + " and " + (items.size() - MAX_NAMED_SERVERS)
                + " more";
    }

    /**
     * Refuses null and duplicate accounts. Open addressing, not a HashSet: a million accounts would otherwise mean
     * a million set entries for the garbage collector to copy during the plan. Each cell holds the id's hash with
     * the account's index, so ids are only compared when their hashes are equal.
     */
    private static void requireUniqueAccounts(AccountRequest[] accounts) {
        long[] table = new long[Integer.highestOneBit(Math.max(1, accounts.length) * 2 - 1) << 1]; // load <= 1/2
        int mask = table.length - 1;
        int shift = Integer.numberOfLeadingZeros(mask);
        for (int i = 0; i < accounts.length; i++) {
            String id = Objects.requireNonNull(accounts[i], "account").accountId();
            int hash = id.hashCode();
            long cell = (long) hash << 32 | (i + 1); // low half 0 marks an empty cell
            int at = (hash * 0x9E3779B9) >>> shift; // Fibonacci hashing: the product's top bits
            for (long other; (other = table[at]) != 0; at = (at + 1) & mask) {
                if ((int) (other >>> 32) == hash
                        && accounts[(int) other - 1].accountId().equals(id)) {
                    throw new IllegalArgumentException("duplicate accountId " + id);
                }
            }
            table[at] = cell;
        }
    }
}
