package io.groupai.fleet.allocation;

import io.groupai.fleet.allocation.planner.LoadScore;
import io.groupai.fleet.allocation.planner.PlannerWeights;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.PlacementCounts;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.registry.ServerStatus;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.allocation.AllocationType;
import io.groupai.fleet.workflows.allocation.CompleteRequest;
import io.groupai.fleet.workflows.allocation.FixedTarget;
import io.groupai.fleet.workflows.allocation.Reservation;
import io.groupai.fleet.workflows.allocation.ReservedAccount;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Claims and releases of placement in the database: the one place that enforces "at most one
 * server per account" and "never more than max_accounts per server" under concurrency.
 *
 * <p>Every claim runs in one READ COMMITTED transaction that first locks the server rows it
 * touches ({@code SELECT ... FOR UPDATE}, in node id order), then the account rows (in account id
 * order), counts placed + reserved accounts, and changes an account only with a condition on its
 * current server ({@code ... WHERE server_id IS NULL}). Locks are always taken servers first, each
 * kind in id order, so concurrent claims queue rather than deadlock, on H2, MySQL 8 and MariaDB.
 */
@Repository
public class AllocationStore {

    private static final Logger log = LoggerFactory.getLogger(AllocationStore.class);

    /** Account statuses this package writes. */
    public static final String ALLOCATING = "allocating";

    public static final String MIGRATING = "migrating";
    public static final String ONLINE = "online";
    public static final String FAILED = "failed";
    public static final String UNALLOCATED = "unallocated";

    private final JdbcClient jdbc;
    private final ServerRepository servers;
    private final AccountRepository accounts;
    private final PlacementCounts counts;
    private final Clock clock;
    private final PlannerWeights weights = PlannerWeights.defaults();

    public AllocationStore(
            JdbcClient jdbc,
            ServerRepository servers,
            AccountRepository accounts,
            PlacementCounts counts,
            Clock clock) {
        this.jdbc = jdbc;
        this.servers = servers;
        this.accounts = accounts;
        this.counts = counts;
        this.clock = clock;
    }

    /** An account row as the claim logic needs it. */
    public record Claim(
            String accountId,
            String serverId,
            String reservedServerId,
            String status,
            String operationId,
            String scriptId) {}

    // --- single claims -----------------------------------------------------------------------

    @Transactional(isolation = Isolation.READ_COMMITTED)
    public Reservation reserve(String accountId, String serverId, String operationId) {
        Objects.requireNonNull(operationId, "operationId");
        long t0 = System.nanoTime();
        ServerRecord server = lockServer(serverId)
                .orElseThrow(() -> new AllocationRefusedException(
                        FailureTypes.SERVER_NOT_ELIGIBLE, "server " + serverId + " is not registered"));
        Claim account = lockAccount(accountId)
                .orElseThrow(() -> new AllocationRefusedException(
                        FailureTypes.ACCOUNT_UNAVAILABLE, "account " + accountId + " does not exist"));
        lockNanos.add(System.nanoTime() - t0);
        lockCalls.increment();
        if (serverId.equals(account.serverId()) && operationId.equals(account.operationId())) {
            int count = countCommitted(serverId);
            return new Reservation(accountId, serverId, score(server, count - 1), account.scriptId());
        }
        if (account.serverId() != null) {
            throw new AllocationRefusedException(FailureTypes.ACCOUNT_UNAVAILABLE, alreadyPlaced(account));
        }
        String ineligible = ineligible(server);
        if (ineligible != null) {
            throw new AllocationRefusedException(FailureTypes.SERVER_NOT_ELIGIBLE, ineligible);
        }
        int count = countCommitted(serverId);
        if (count >= server.maxAccounts()) {
            throw new AllocationRefusedException(
                    FailureTypes.NO_CAPACITY,
                    "no capacity: server " + serverId + " is full (" + count + "/" + server.maxAccounts()
                            + " placed or reserved)");
        }
        int claimed = jdbc.sql("UPDATE accounts SET server_id = ?, status = ?, operation_id = ?, updated_at = ? "
                        + "WHERE account_id = ? AND server_id IS NULL")
                .params(serverId, ALLOCATING, operationId, now(), accountId)
                .update();
        if (claimed != 1) {
            throw new AllocationRefusedException(
                    FailureTypes.ACCOUNT_UNAVAILABLE,
                    "account " + accountId + " was claimed by a concurrent operation");
        }
        counts.move(null, serverId);
        log.info(
                "account {} reserved on server {} ({}/{}) by {}",
                accountId,
                serverId,
                count + 1,
                server.maxAccounts(),
                operationId);
        return new Reservation(accountId, serverId, score(server, count), account.scriptId());
    }

    /**
     * {@link #reserve} of several accounts on one server in ONE transaction: the server row is
     * locked once, the accounts in id order (servers first, each kind in id order, as everywhere),
     * capacity is counted once. Each account is claimed or refused on its own — a refused one
     * changed nothing and names why — so one account never fails its siblings. Results in request
     * order. Idempotent like {@link #reserve}: accounts this operation already holds on the server
     * come back as claimed.
     */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public List<ReservedAccount> reserveMany(String serverId, List<String> accountIds, String operationId) {
        Objects.requireNonNull(operationId, "operationId");
        long t0 = System.nanoTime();
        ServerRecord server = lockServer(serverId).orElse(null);
        Map<String, Claim> locked = new HashMap<>();
        for (String accountId : new TreeSet<>(accountIds)) {
            lockAccount(accountId).ifPresent(a -> locked.put(accountId, a));
        }
        lockNanos.add(System.nanoTime() - t0);
        lockCalls.increment();
        String ineligible = server == null ? "server " + serverId + " is not registered" : ineligible(server);
        int count = server == null ? 0 : countCommitted(serverId);
        int claimed = 0;
        List<ReservedAccount> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String accountId : accountIds) {
            Claim account = locked.get(accountId);
            String refused = null;
            if (!seen.add(accountId)) {
                refused = "account " + accountId + " appears twice in the batch";
            } else if (account == null) {
                refused = "account " + accountId + " does not exist";
            } else if (serverId.equals(account.serverId()) && operationId.equals(account.operationId())) {
                out.add(new ReservedAccount(
                        accountId,
                        new Reservation(accountId, serverId, score(server, count - 1), account.scriptId()),
                        null));
                continue;
            } else if (account.serverId() != null) {
                refused = alreadyPlaced(account);
            } else if (ineligible != null) {
                refused = ineligible;
            } else if (count >= server.maxAccounts()) {
                refused = "no capacity: server " + serverId + " is full (" + count + "/" + server.maxAccounts()
                        + " placed or reserved)";
            }
            if (refused != null) {
                out.add(new ReservedAccount(accountId, null, refused));
                continue;
            }
            int updated = jdbc.sql("UPDATE accounts SET server_id = ?, status = ?, operation_id = ?, updated_at = ? "
                            + "WHERE account_id = ? AND server_id IS NULL")
                    .params(serverId, ALLOCATING, operationId, now(), accountId)
                    .update();
            if (updated != 1) {
                out.add(new ReservedAccount(
                        accountId, null, "account " + accountId + " was claimed by a concurrent operation"));
                continue;
            }
            out.add(new ReservedAccount(
                    accountId, new Reservation(accountId, serverId, score(server, count), account.scriptId()), null));
            count++;
            claimed++;
        }
        if (claimed > 0) {
            counts.apply(Map.of(serverId, (long) claimed, PlacementCounts.UNASSIGNED, (long) -claimed));
            log.info(
                    "{} accounts reserved on server {} ({}/{}) by {}",
                    claimed,
                    serverId,
                    count,
                    server.maxAccounts(),
                    operationId);
        }
        return out;
    }

    /**
     * {@link #complete} of several accounts in ONE transaction; returns the accounts that could not
     * be completed, with why (each refused alone, changing nothing; the others are recorded).
     */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public Map<String, String> completeMany(List<CompleteRequest> requests) {
        Map<String, String> failed = new java.util.LinkedHashMap<>();
        List<CompleteRequest> sorted = requests.stream()
                .sorted(java.util.Comparator.comparing(CompleteRequest::accountId))
                .toList();
        for (CompleteRequest r : sorted) {
            try {
                completeLocked(
                        r.accountId(), r.serverId(), r.type(), r.loadScore(), r.workflowId(), r.previousServerId());
            } catch (AllocationRefusedException e) {
                failed.put(r.accountId(), e.getMessage());
            }
        }
        return failed;
    }

    /** Time spent taking row locks in batched claims, and how many batches: for the benches. */
    public record LockStats(long calls, long nanos) {}

    private final java.util.concurrent.atomic.LongAdder lockNanos = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder lockCalls = new java.util.concurrent.atomic.LongAdder();

    public LockStats lockStats() {
        return new LockStats(lockCalls.sum(), lockNanos.sum());
    }

    /**
     * Releases the claim this operation holds, found by its operation id whatever status a report
     * left on the row; returns whether there was one. Already released (the row no longer carries
     * this operation and was not completed by it) is a no-op, so a retry succeeds.
     *
     * @throws AllocationRefusedException {@link FailureTypes#CLAIM_LOST} when another
     *         operation holds the row or it contradicts the release (other server, completed)
     */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public boolean release(String accountId, String serverId, String operationId) {
        Claim account = lockAccount(accountId).orElse(null);
        if (account != null && operationId.equals(account.operationId())) {
            if (!serverId.equals(account.serverId()) || account.reservedServerId() != null) {
                throw claimLost("release", accountId, account, serverId, operationId);
            }
            jdbc.sql("UPDATE accounts SET server_id = NULL, status = ?, operation_id = NULL, updated_at = ? "
                            + "WHERE account_id = ? AND operation_id = ?")
                    .params(UNALLOCATED, now(), accountId, operationId)
                    .update();
            counts.move(serverId, null);
            log.info("account {}: reservation on server {} released by {}", accountId, serverId, operationId);
            return true;
        }
        if (account == null || account.operationId() == null && !completedBy(accountId, serverId, operationId)) {
            log.info("account {}: reservation on server {} by {} already released", accountId, serverId, operationId);
            return false;
        }
        throw claimLost("release", accountId, account, serverId, operationId);
    }

    /**
     * Keeps the account on the server, marked failed, and clears the claim. Done already (failed on
     * that server, no operation): a no-op.
     *
     * @throws AllocationRefusedException {@link FailureTypes#CLAIM_LOST} when the row is not
     *         this operation's on this server
     */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public void markFailed(String accountId, String serverId, String operationId, String reason) {
        Claim account = lockAccount(accountId).orElse(null);
        boolean held =
                account != null && operationId.equals(account.operationId()) && serverId.equals(account.serverId());
        if (!held) {
            if (account != null
                    && account.operationId() == null
                    && serverId.equals(account.serverId())
                    && FAILED.equals(account.status())) {
                return;
            }
            throw claimLost("mark failed", accountId, account, serverId, operationId);
        }
        jdbc.sql("UPDATE accounts SET status = ?, reserved_server_id = NULL, operation_id = NULL, updated_at = ? "
                        + "WHERE account_id = ? AND operation_id = ?")
                .params(FAILED, now(), accountId, operationId)
                .update();
        if (account.reservedServerId() != null) {
            log.warn(
                    "account {}: target reservation on {} dropped with the failure",
                    accountId,
                    account.reservedServerId());
        }
        log.warn("account {} kept on server {} marked failed: {}", accountId, serverId, reason);
    }

    /** History row + status online + claim cleared, once per (account, server, workflow). */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public void complete(
            String accountId,
            String serverId,
            AllocationType type,
            double loadScore,
            String operationId,
            String previousServerId) {
        completeLocked(accountId, serverId, type, loadScore, operationId, previousServerId);
    }

    private void completeLocked(
            String accountId,
            String serverId,
            AllocationType type,
            double loadScore,
            String operationId,
            String previousServerId) {
        long t0 = System.nanoTime();
        Claim account = lockAccount(accountId).orElse(null);
        lockNanos.add(System.nanoTime() - t0);
        lockCalls.increment();
        if (account == null || !operationId.equals(account.operationId()) || !serverId.equals(account.serverId())) {
            // A retry after success finds its history row. Only when the row is no longer held: a
            // migration's id (account-<id>) is used again by every later move of the account, so an
            // older move to the same server has left a row with this id too, and taking that for this
            // move's completion would leave the account held (migrating) for good.
            if (completedBy(accountId, serverId, operationId)) {
                return;
            }
            throw claimLost("complete", accountId, account, serverId, operationId);
        }
        jdbc.sql("UPDATE accounts SET status = ?, operation_id = NULL, reserved_server_id = NULL, updated_at = ? "
                        + "WHERE account_id = ? AND operation_id = ?")
                .params(ONLINE, now(), accountId, operationId)
                .update();
        jdbc.sql("INSERT INTO allocation_history (account_id, server_id, allocation_type, load_score, workflow_id, "
                        + "previous_server_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(
                        accountId,
                        serverId,
                        type.wireName(),
                        Math.round(loadScore * 10) / 10.0,
                        operationId,
                        previousServerId,
                        now())
                .update();
    }

    // --- batch -------------------------------------------------------------------------------

    /**
     * Validates every item under locks, then claims all of them or none. Problems name the item
     * ({@code allocations[i]}); bad references (unknown, duplicate) make it a 400, state conflicts a 409.
     */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public void reserveBatch(List<FixedTarget> items, String operationId) {
        List<FieldProblem> problems = new ArrayList<>();
        boolean badInput = false;
        Map<String, ServerRecord> locked = new HashMap<>();
        for (String nodeId : new TreeSet<>(items.stream()
                .map(FixedTarget::serverId)
                .filter(Objects::nonNull)
                .toList())) {
            lockServer(nodeId).ifPresent(s -> locked.put(nodeId, s));
        }
        Map<String, Claim> accounts = new HashMap<>();
        for (String accountId : new TreeSet<>(items.stream()
                .map(FixedTarget::accountId)
                .filter(Objects::nonNull)
                .toList())) {
            lockAccount(accountId).ifPresent(a -> accounts.put(accountId, a));
        }
        Map<String, Integer> committed = new TreeMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            FixedTarget item = items.get(i);
            String field = "allocations[" + i + "]";
            if (item.accountId() == null
                    || item.accountId().isBlank()
                    || item.serverId() == null
                    || item.serverId().isBlank()) {
                problems.add(new FieldProblem(field, "needs account_id and server_id"));
                badInput = true;
                continue;
            }
            Integer earlier = seen.putIfAbsent(item.accountId(), i);
            if (earlier != null) {
                problems.add(new FieldProblem(
                        field + ".account_id",
                        "account " + item.accountId() + " appears twice in the batch (also allocations[" + earlier
                                + "]); an account goes to one server"));
                badInput = true;
                continue;
            }
            Claim account = accounts.get(item.accountId());
            ServerRecord server = locked.get(item.serverId());
            boolean claimable = false;
            if (account == null) {
                problems.add(new FieldProblem(
                        field + ".account_id",
                        "account " + item.accountId()
                                + " does not exist; register it with POST /api/v1/group-ai/accounts"));
                badInput = true;
            } else if (account.serverId() != null) {
                problems.add(new FieldProblem(field + ".account_id", alreadyPlaced(account)));
            } else {
                claimable = true;
            }
            if (server == null) {
                problems.add(new FieldProblem(
                        field + ".server_id",
                        "server " + item.serverId()
                                + " is not registered; list servers with GET /api/v1/group-ai/servers"));
                badInput = true;
                continue;
            }
            String ineligible = ineligible(server);
            if (ineligible != null) {
                problems.add(new FieldProblem(field + ".server_id", ineligible + "; choose an active server"));
                continue;
            }
            if (!claimable) {
                continue; // only accounts that would really be placed count against capacity
            }
            int count = committed.computeIfAbsent(item.serverId(), this::countCommitted) + 1;
            committed.put(item.serverId(), count);
            if (count > server.maxAccounts()) {
                problems.add(new FieldProblem(
                        field + ".server_id",
                        "no capacity: server " + item.serverId() + " holds "
                                + countCommitted(item.serverId()) + " of " + server.maxAccounts()
                                + " accounts and this batch would make it " + count));
            }
        }
        if (!problems.isEmpty()) {
            throw new BatchRejectedException(problems, !badInput);
        }
        Map<String, Long> deltas = new HashMap<>();
        for (FixedTarget item : items.stream()
                .sorted(java.util.Comparator.comparing(FixedTarget::accountId))
                .toList()) {
            int claimed = jdbc.sql("UPDATE accounts SET server_id = ?, status = ?, operation_id = ?, updated_at = ? "
                            + "WHERE account_id = ? AND server_id IS NULL")
                    .params(item.serverId(), ALLOCATING, operationId, now(), item.accountId())
                    .update();
            if (claimed != 1) {
                // Rolls the whole batch back.
                throw new BatchRejectedException(
                        List.of(new FieldProblem(
                                "allocations[" + items.indexOf(item) + "].account_id",
                                "account " + item.accountId() + " was claimed by a concurrent request")),
                        true);
            }
            deltas.merge(item.serverId(), 1L, Long::sum);
            deltas.merge(PlacementCounts.UNASSIGNED, -1L, Long::sum);
        }
        counts.apply(deltas);
        log.info("batch {}: {} accounts reserved", operationId, items.size());
    }

    // --- migration ---------------------------------------------------------------------------

    /** Reserves the target's capacity for a move; idempotent for the same operation. */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public Reservation reserveMigrationTarget(
            String accountId, String sourceServerId, String targetServerId, String operationId) {
        ServerRecord target = lockServer(targetServerId)
                .orElseThrow(() -> new AllocationRefusedException(
                        FailureTypes.SERVER_NOT_ELIGIBLE, "target server " + targetServerId + " is not registered"));
        Claim account = lockAccount(accountId)
                .orElseThrow(() -> new AllocationRefusedException(
                        FailureTypes.ACCOUNT_UNAVAILABLE, "account " + accountId + " does not exist"));
        if (targetServerId.equals(account.reservedServerId()) && operationId.equals(account.operationId())) {
            return new Reservation(
                    accountId, targetServerId, score(target, countCommitted(targetServerId) - 1), account.scriptId());
        }
        if (!sourceServerId.equals(account.serverId()) || account.operationId() != null) {
            throw new AllocationRefusedException(
                    FailureTypes.ACCOUNT_UNAVAILABLE,
                    "account " + accountId
                            + " cannot move: "
                            + (account.operationId() != null
                                    ? "operation " + account.operationId() + " owns it"
                                    : "it is on " + account.serverId() + ", not " + sourceServerId));
        }
        String ineligible = ineligible(target);
        if (ineligible != null) {
            throw new AllocationRefusedException(FailureTypes.SERVER_NOT_ELIGIBLE, ineligible);
        }
        int count = countCommitted(targetServerId);
        if (count >= target.maxAccounts()) {
            throw new AllocationRefusedException(
                    FailureTypes.NO_CAPACITY,
                    "no capacity: target server " + targetServerId + " is full (" + count + "/" + target.maxAccounts()
                            + ")");
        }
        jdbc.sql("UPDATE accounts SET reserved_server_id = ?, status = ?, operation_id = ?, updated_at = ? "
                        + "WHERE account_id = ? AND server_id = ? AND operation_id IS NULL")
                .params(targetServerId, MIGRATING, operationId, now(), accountId, sourceServerId)
                .update();
        return new Reservation(accountId, targetServerId, score(target, count), account.scriptId());
    }

    @Transactional(isolation = Isolation.READ_COMMITTED)
    public void commitMigration(String accountId, String sourceServerId, String targetServerId, String operationId) {
        int moved = jdbc.sql("UPDATE accounts SET server_id = ?, reserved_server_id = NULL, updated_at = ? "
                        + "WHERE account_id = ? AND server_id = ? AND reserved_server_id = ? AND operation_id = ?")
                .params(targetServerId, now(), accountId, sourceServerId, targetServerId, operationId)
                .update();
        if (moved == 1) {
            counts.move(sourceServerId, targetServerId);
        } else {
            Claim account = lockAccount(accountId).orElse(null);
            boolean alreadyDone = account != null
                    && targetServerId.equals(account.serverId())
                    && operationId.equals(account.operationId());
            if (!alreadyDone) {
                throw new AllocationRefusedException(
                        FailureTypes.ACCOUNT_UNAVAILABLE,
                        "account " + accountId + " is no longer reserved for " + targetServerId + " by " + operationId);
            }
        }
    }

    /**
     * Back to the source, reservation dropped, claim cleared; a no-op once done (on the source,
     * no operation, nothing reserved).
     *
     * @throws AllocationRefusedException {@link FailureTypes#CLAIM_LOST} when another
     *         operation holds the row or it sits on a server this migration never used
     */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public void abortMigration(String accountId, String sourceServerId, String operationId) {
        Claim account = lockAccount(accountId).orElse(null);
        if (account != null && operationId.equals(account.operationId())) {
            jdbc.sql(
                            "UPDATE accounts SET server_id = ?, reserved_server_id = NULL, status = ?, operation_id = NULL, updated_at = ? "
                                    + "WHERE account_id = ? AND operation_id = ?")
                    .params(sourceServerId, ONLINE, now(), accountId, operationId)
                    .update();
            if (!sourceServerId.equals(account.serverId())) {
                counts.move(account.serverId(), sourceServerId);
            }
            return;
        }
        boolean done = account != null
                && account.operationId() == null
                && sourceServerId.equals(account.serverId())
                && account.reservedServerId() == null;
        if (!done) {
            throw claimLost("abort migration", accountId, account, sourceServerId, operationId);
        }
    }

    // --- reads -------------------------------------------------------------------------------

    public Optional<Claim> find(String accountId) {
        return jdbc.sql(
                        "SELECT account_id, server_id, reserved_server_id, status, operation_id, script_id FROM accounts "
                                + "WHERE account_id = ?")
                .param(accountId)
                .query(AllocationStore::claim)
                .optional();
    }

    /** Accounts placed or reserved per server (what counts against max_accounts). */
    public Map<String, Integer> committedByServer() {
        Map<String, Integer> counts = new HashMap<>();
        jdbc.sql("SELECT server_id AS s, COUNT(*) AS n FROM accounts WHERE server_id IS NOT NULL GROUP BY server_id")
                .query((RowCallbackHandler) rs -> counts.merge(rs.getString("s"), rs.getInt("n"), Integer::sum));
        jdbc.sql("SELECT reserved_server_id AS s, COUNT(*) AS n FROM accounts WHERE reserved_server_id IS NOT NULL "
                        + "GROUP BY reserved_server_id")
                .query((RowCallbackHandler) rs -> counts.merge(rs.getString("s"), rs.getInt("n"), Integer::sum));
        return counts;
    }

    /** server → script → accounts, for the affinity strategy. */
    public Map<String, Map<String, Integer>> scriptCounts() {
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        jdbc.sql(
                        "SELECT server_id, script_id, COUNT(*) AS n FROM accounts WHERE server_id IS NOT NULL AND script_id IS NOT NULL "
                                + "GROUP BY server_id, script_id")
                .query((RowCallbackHandler)
                        rs -> counts.computeIfAbsent(rs.getString("server_id"), k -> new HashMap<>())
                                .put(rs.getString("script_id"), rs.getInt("n")));
        return counts;
    }

    public List<String> unallocated() {
        return jdbc.sql("SELECT account_id FROM accounts WHERE server_id IS NULL ORDER BY account_id")
                .query(String.class)
                .list();
    }

    /**
     * Servers of the latest committed placements, newest first (at most {@code limit}): where
     * round robin continues. Read from the history, so committing a placement writes no shared row.
     */
    public List<String> latestPlacements(int limit) {
        return jdbc.sql("SELECT server_id FROM allocation_history ORDER BY id DESC LIMIT ?")
                .param(limit)
                .query(String.class)
                .list();
    }

    /** One page of {@link #unallocated()}: up to {@code limit} ids after {@code afterAccountId} (null: from the start). */
    public List<String> unallocated(String afterAccountId, int limit) {
        return jdbc.sql(
                        "SELECT account_id FROM accounts WHERE server_id IS NULL AND account_id > ? ORDER BY account_id LIMIT ?")
                .params(afterAccountId == null ? "" : afterAccountId, limit)
                .query(String.class)
                .list();
    }

    // --- helpers -----------------------------------------------------------------------------

    private Optional<ServerRecord> lockServer(String nodeId) {
        // The lock is the point; the row is re-read through the repository's mapper.
        boolean exists = jdbc.sql("SELECT node_id FROM servers WHERE node_id = ? FOR UPDATE")
                .param(nodeId)
                .query(String.class)
                .optional()
                .isPresent();
        return exists ? servers.find(nodeId) : Optional.empty();
    }

    private Optional<Claim> lockAccount(String accountId) {
        return jdbc.sql(
                        "SELECT account_id, server_id, reserved_server_id, status, operation_id, script_id FROM accounts "
                                + "WHERE account_id = ? FOR UPDATE")
                .param(accountId)
                .query(AllocationStore::claim)
                .optional();
    }

    private boolean completedBy(String accountId, String serverId, String operationId) {
        return jdbc.sql(
                                "SELECT COUNT(*) FROM allocation_history WHERE account_id = ? AND server_id = ? AND workflow_id = ?")
                        .params(accountId, serverId, operationId)
                        .query(Integer.class)
                        .single()
                > 0;
    }

    /** "account A: release on server S by operation O refused: the row is ...; nothing changed". */
    private static AllocationRefusedException claimLost(
            String step, String accountId, Claim account, String serverId, String operationId) {
        String row = account == null
                ? "the account does not exist"
                : "the row is on server " + (account.serverId() == null ? "(none)" : account.serverId())
                        + (account.reservedServerId() == null ? "" : " reserved for " + account.reservedServerId())
                        + " with status " + account.status() + ", "
                        + (account.operationId() == null
                                ? "held by no operation"
                                : "held by operation " + account.operationId());
        return new AllocationRefusedException(
                FailureTypes.CLAIM_LOST,
                "account " + accountId + ": " + step + " on server " + serverId + " by operation " + operationId
                        + " refused: " + row + "; nothing changed");
    }

    private int countCommitted(String nodeId) {
        return accounts.countCommittedTo(nodeId);
    }

    private String ineligible(ServerRecord server) {
        if (server.status() != ServerStatus.ACTIVE) {
            return "server " + server.nodeId() + " is " + server.status().wireName();
        }
        if ("unhealthy".equals(server.health())) {
            return "server " + server.nodeId() + " is unhealthy (" + server.consecutiveFailures() + " failed probes)";
        }
        return server.notReady(clock.instant());
    }

    private static String alreadyPlaced(Claim account) {
        return "account " + account.accountId() + " is already placed on server " + account.serverId()
                + " (status " + account.status()
                + (account.operationId() == null ? "" : ", by operation " + account.operationId())
                + "); move it with POST /api/v1/group-ai/accounts/rebalance";
    }

    private double score(ServerRecord server, int accounts) {
        return LoadScore.of(
                ServerCandidates.of(server, Math.max(0, accounts), 0, Map.of()), Math.max(0, accounts), weights);
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static Claim claim(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Claim(
                rs.getString("account_id"),
                rs.getString("server_id"),
                rs.getString("reserved_server_id"),
                rs.getString("status"),
                rs.getString("operation_id"),
                rs.getString("script_id"));
    }
}
