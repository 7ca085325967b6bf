package io.groupai.fleet.allocation;

import io.groupai.fleet.allocation.planner.AccountRequest;
import io.groupai.fleet.allocation.planner.Plan;
import io.groupai.fleet.allocation.planner.Planner;
import io.groupai.fleet.allocation.planner.RoundRobinCursor;
import io.groupai.fleet.allocation.planner.ServerCandidate;
import io.groupai.fleet.allocation.planner.Strategy;
import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.allocation.PlanResult;
import io.groupai.fleet.workflows.allocation.PlannedPlacement;
import io.groupai.fleet.workflows.allocation.UnplacedAccount;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Runs the pure {@link Planner} on what the database says now: servers, placed + reserved counts,
 * scripts per server. Plans only, with no side effect; the claims are {@link AllocationStore}'s
 * job (a plan can be stale by the time it is reserved, which the reservation detects). Round
 * robin continues after the latest committed placement in the history, never after a plan.
 */
@Service
public class PlacementService {

    /** A visit of more turns than this (a server weighted 64 times the lightest) is counted as this many. */
    private static final int MAX_TURNS_SEEN = 64;

    private final Planner planner = new Planner();
    private final ServerRepository servers;
    private final AccountRepository accounts;
    private final AllocationStore store;

    private final java.time.Clock clock;

    public PlacementService(
            ServerRepository servers, AccountRepository accounts, AllocationStore store, java.time.Clock clock) {
        this.clock = clock;
        this.servers = servers;
        this.accounts = accounts;
        this.store = store;
    }

    /** @throws IllegalArgumentException for an unknown strategy, naming the valid ones */
    @Transactional(readOnly = true)
    public PlanResult plan(String strategyName, List<String> accountIds, Collection<String> excludedServers) {
        Strategy strategy = Strategy.parse(strategyName);
        Set<String> excluded = Set.copyOf(excludedServers);
        Map<String, Integer> committed = store.committedByServer();
        Map<String, Map<String, Integer>> scripts = store.scriptCounts();
        List<ServerCandidate> candidates = new ArrayList<>();
        java.time.Instant now = clock.instant();
        for (ServerRecord s : servers.findAll()) {
            if (!excluded.contains(s.nodeId())) {
                candidates.add(ServerCandidates.of(
                        s, committed.getOrDefault(s.nodeId(), 0), 0, scripts.getOrDefault(s.nodeId(), Map.of()), now));
            }
        }
        List<AccountRequest> requests = new ArrayList<>();
        List<UnplacedAccount> unplaced = new ArrayList<>();
        for (String accountId : accountIds.stream().distinct().toList()) {
            AccountRecord account = accounts.find(accountId).orElse(null);
            if (account == null) {
                unplaced.add(new UnplacedAccount(accountId, "account " + accountId + " does not exist"));
            } else if (account.serverId() != null && excluded.isEmpty()) {
                unplaced.add(new UnplacedAccount(
                        accountId,
                        "account " + accountId + " is already placed on server " + account.serverId() + " (status "
                                + account.status() + ")"));
            } else {
                requests.add(new AccountRequest(accountId, account.scriptId(), account.location()));
            }
        }
        RoundRobinCursor cursor = strategy == Strategy.ROUND_ROBIN ? loadCursor() : RoundRobinCursor.START;
        Plan plan = planner.plan(candidates, requests, strategy, cursor);
        List<PlannedPlacement> placements = plan.placements().stream()
                .map(p -> new PlannedPlacement(p.accountId(), p.nodeId(), p.loadScore()))
                .toList();
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
     * Round robin continues after the latest committed placement: its server, with the turns it
     * had in a row. Plans move nothing; only committed placements (the history) do.
     */
    private RoundRobinCursor loadCursor() {
        List<String> latest = store.latestPlacements(MAX_TURNS_SEEN);
        if (latest.isEmpty()) {
            return RoundRobinCursor.START;
        }
        int turns = 1;
        while (turns < latest.size() && latest.get(turns).equals(latest.get(0))) {
            turns++;
        }
        return new RoundRobinCursor(latest.get(0), turns);
    }
}
