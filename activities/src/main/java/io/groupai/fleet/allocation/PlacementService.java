package io.groupai.fleet.allocation;

import io.groupai.fleet.allocation.planner.AccountRequest;
import io.groupai.fleet.allocation.planner.Plan;
import io.groupai.fleet.allocation.planner.Planner;
import io.groupai.fleet.allocation.planner.RoundRobinCursor;
import io.groupai.fleet.allocation.planner.ServerCandidate;
import io.groupai.fleet.allocation.planner.Strategy;
import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.FleetSettingsRepository;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.allocation.CompleteRequest;
import io.groupai.fleet.workflows.allocation.PlanResult;
import io.groupai.fleet.workflows.allocation.PlannedPlacement;
import io.groupai.fleet.workflows.allocation.UnplacedAccount;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Runs the pure {@link Planner} on what the database says now: servers, placed + reserved counts,
 * scripts per server. Plans only, with no side effect; the claims are {@link AllocationStore}'s
 * job (a plan can be stale by the time it is reserved, which the reservation detects). The
 * round-robin cursor moves when a placement is committed ({@link #complete}), not when planned.
 */
@Service
public class PlacementService {

    static final String ROUND_ROBIN_CURSOR = "allocation.round_robin_cursor";

    private final Planner planner = new Planner();
    private final ServerRepository servers;
    private final AccountRepository accounts;
    private final AllocationStore store;
    private final FleetSettingsRepository settings;

    public PlacementService(ServerRepository servers, AccountRepository accounts, AllocationStore store,
                            FleetSettingsRepository settings) {
        this.servers = servers;
        this.accounts = accounts;
        this.store = store;
        this.settings = settings;
    }

    /** @throws IllegalArgumentException for an unknown strategy, naming the valid ones */
    @Transactional(readOnly = true)
    public PlanResult plan(String strategyName, List<String> accountIds, Collection<String> excludedServers) {
        Strategy strategy = Strategy.parse(strategyName);
        Set<String> excluded = Set.copyOf(excludedServers);
        Map<String, Integer> committed = store.committedByServer();
        Map<String, Map<String, Integer>> scripts = store.scriptCounts();
        List<ServerCandidate> candidates = new ArrayList<>();
        for (ServerRecord s : servers.findAll()) {
            if (!excluded.contains(s.nodeId())) {
                candidates.add(ServerCandidates.of(s, committed.getOrDefault(s.nodeId(), 0), 0,
                        scripts.getOrDefault(s.nodeId(), Map.of())));
            }
        }
        List<AccountRequest> requests = new ArrayList<>();
        List<UnplacedAccount> unplaced = new ArrayList<>();
        for (String accountId : accountIds.stream().distinct().toList()) {
            AccountRecord account = accounts.find(accountId).orElse(null);
            if (account == null) {
                unplaced.add(new UnplacedAccount(accountId, "account " + accountId + " does not exist"));
            } else if (account.serverId() != null && excluded.isEmpty()) {
                unplaced.add(new UnplacedAccount(accountId, "account " + accountId + " is already placed on server "
                        + account.serverId() + " (status " + account.status() + ")"));
            } else {
                requests.add(new AccountRequest(accountId, account.scriptId(), account.location()));
            }
        }
        RoundRobinCursor cursor = strategy == Strategy.ROUND_ROBIN ? loadCursor() : RoundRobinCursor.START;
        Plan plan = planner.plan(candidates, requests, strategy, cursor);
        List<PlannedPlacement> placements = plan.placements().stream()
                .map(p -> new PlannedPlacement(p.accountId(), p.nodeId(), p.loadScore())).toList();
        plan.unplaced().forEach(u -> unplaced.add(new UnplacedAccount(u.accountId(), u.reason())));
        return new PlanResult(strategy.wireName(), placements, unplaced);
    }

    /**
     * A migration target for an account on {@code sourceServerId}: the strategy's choice among
     * the other servers, or empty with the planner's reason.
     */
    public PlanResult planMove(String strategyName, String accountId, String sourceServerId) {
        return plan(strategyName, List.of(accountId), List.of(sourceServerId));
    }

    /**
     * Commits a placement (history, status online) and, in the same transaction, moves the
     * round-robin cursor: the server that got the account has taken one more turn of its visit.
     * The cursor row is locked, so concurrent commits count every turn.
     */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public void complete(CompleteRequest r) {
        store.complete(r.accountId(), r.serverId(), r.type(), r.loadScore(), r.workflowId(), r.previousServerId());
        RoundRobinCursor current = settings.getForUpdate(ROUND_ROBIN_CURSOR).map(PlacementService::cursor)
                .orElse(RoundRobinCursor.START);
        int turns = r.serverId().equals(current.nextNodeId()) ? current.turnsTaken() + 1 : 1;
        settings.put(ROUND_ROBIN_CURSOR, r.serverId() + ":" + turns);
    }

    private RoundRobinCursor loadCursor() {
        return settings.get(ROUND_ROBIN_CURSOR).map(PlacementService::cursor).orElse(RoundRobinCursor.START);
    }

    private static RoundRobinCursor cursor(String value) {
        int colon = value.lastIndexOf(':');
        String node = value.substring(0, Math.max(colon, 0));
        int turns = colon < 0 ? 0 : Integer.parseInt(value.substring(colon + 1));
        return node.isEmpty() ? RoundRobinCursor.START : new RoundRobinCursor(node, turns);
    }
}
