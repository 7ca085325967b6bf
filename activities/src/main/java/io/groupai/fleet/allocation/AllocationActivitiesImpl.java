package io.groupai.fleet.allocation;

import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.allocation.AllocationActivities;
import io.groupai.fleet.workflows.allocation.CompleteRequest;
import io.groupai.fleet.workflows.allocation.MigrationPlan;
import io.groupai.fleet.workflows.allocation.MigrationRequest;
import io.groupai.fleet.workflows.allocation.PlanRequest;
import io.groupai.fleet.workflows.allocation.PlanResult;
import io.groupai.fleet.workflows.allocation.Reservation;
import io.groupai.fleet.workflows.allocation.ReserveBatchRequest;
import io.groupai.fleet.workflows.allocation.ReserveRequest;
import io.groupai.fleet.workflows.allocation.ReservedAccount;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/** Database side of the allocation workflows; refusals become non-retryable failures typed by {@link FailureTypes}. */
@Component("allocationActivities")
public class AllocationActivitiesImpl implements AllocationActivities {

    private static final String DEFAULT_STRATEGY = "load_balance";

    private final AllocationStore store;
    private final PlacementService placement;
    private final AccountRepository accounts;

    public AllocationActivitiesImpl(AllocationStore store, PlacementService placement, AccountRepository accounts) {
        this.store = store;
        this.placement = placement;
        this.accounts = accounts;
    }

    @Override
    public List<String> unallocatedAccounts(String afterAccountId, int limit) {
        return store.unallocated(afterAccountId, Math.max(1, limit));
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        return refusals(() -> placement.plan(
                request.strategy() == null ? DEFAULT_STRATEGY : request.strategy(),
                request.accountIds(),
                request.excludedServerIds() == null ? List.of() : request.excludedServerIds()));
    }

    @Override
    public Reservation reserve(ReserveRequest r) {
        return refusals(() -> store.reserve(r.accountId(), r.serverId(), r.workflowId()));
    }

    @Override
    public List<ReservedAccount> reserveBatch(ReserveBatchRequest r) {
        return refusals(() -> store.reserveMany(r.serverId(), r.accountIds(), r.workflowId()));
    }

    @Override
    public Map<String, String> completeBatch(List<CompleteRequest> requests) {
        return refusals(() -> store.completeMany(requests));
    }

    @Override
    public void release(ReserveRequest r) {
        refusals(() -> store.release(r.accountId(), r.serverId(), r.workflowId()));
    }

    @Override
    public void markFailed(ReserveRequest r, String reason) {
        refusals(() -> {
            store.markFailed(r.accountId(), r.serverId(), r.workflowId(), reason);
            return null;
        });
    }

    @Override
    public void complete(CompleteRequest r) {
        refusals(() -> {
            store.complete(r.accountId(), r.serverId(), r.type(), r.loadScore(), r.workflowId(), r.previousServerId());
            return null;
        });
    }

    @Override
    public MigrationPlan prepareMigration(MigrationRequest request, String workflowId) {
        return refusals(() -> {
            AccountRecord account = accounts.find(request.accountId())
                    .orElseThrow(() -> new AllocationRefusedException(
                            FailureTypes.ACCOUNT_UNAVAILABLE, "account " + request.accountId() + " does not exist"));
            String source = account.serverId();
            AllocationStore.Claim claim = store.find(request.accountId()).orElseThrow();
            if (workflowId.equals(claim.operationId()) && claim.reservedServerId() != null) {
                source = claim.serverId();
            } else if (source == null) {
                throw new AllocationRefusedException(
                        FailureTypes.ACCOUNT_UNAVAILABLE,
                        "account " + request.accountId() + " is not placed on any server; allocate it instead");
            }
            String target = request.targetServerId();
            if (target == null || target.isBlank()) {
                if (claim.reservedServerId() == null || !workflowId.equals(claim.operationId())) {
                    return reserveChosen(request, source, workflowId);
                }
                target = claim.reservedServerId();
            }
            if (target.equals(source)) {
                throw new AllocationRefusedException(
                        FailureTypes.SERVER_NOT_ELIGIBLE,
                        "account " + request.accountId() + " already runs on " + source + "; choose another target");
            }
            Reservation r = store.reserveMigrationTarget(request.accountId(), source, target, workflowId);
            return new MigrationPlan(request.accountId(), source, target, r.loadScore(), r.scriptId());
        });
    }

    /**
     * Chooses a target and reserves it. Moves planned at the same time (a failover runs several) can
     * fill a chosen server between plan and reservation: then the next choice is tried, twice at most.
     */
    private MigrationPlan reserveChosen(MigrationRequest request, String source, String workflowId) {
        List<String> excluded = new ArrayList<>(List.of(source));
        for (int attempt = 1; ; attempt++) {
            String target = choose(request, source, excluded);
            try {
                Reservation r = store.reserveMigrationTarget(request.accountId(), source, target, workflowId);
                return new MigrationPlan(request.accountId(), source, target, r.loadScore(), r.scriptId());
            } catch (AllocationRefusedException e) {
                if (!FailureTypes.NO_CAPACITY.equals(e.code()) || attempt == 3) {
                    throw e;
                }
                excluded.add(target);
            }
        }
    }

    private String choose(MigrationRequest request, String source, List<String> excluded) {
        PlanResult plan = placement.plan(
                request.strategy() == null ? DEFAULT_STRATEGY : request.strategy(),
                List.of(request.accountId()),
                excluded);
        if (plan.placements().isEmpty()) {
            throw new AllocationRefusedException(
                    FailureTypes.NO_CAPACITY,
                    "no target for account "
                            + request.accountId() + " other than " + source + ": "
                            + (plan.unplaced().isEmpty()
                                    ? "no servers"
                                    : plan.unplaced().get(0).reason()));
        }
        return plan.placements().get(0).serverId();
    }

    @Override
    public void commitMigration(MigrationPlan plan, String workflowId) {
        refusals(() -> {
            store.commitMigration(plan.accountId(), plan.sourceServerId(), plan.targetServerId(), workflowId);
            return null;
        });
    }

    @Override
    public void abortMigration(MigrationPlan plan, String workflowId, String reason) {
        refusals(() -> {
            store.abortMigration(plan.accountId(), plan.sourceServerId(), workflowId);
            return null;
        });
    }

    private static <T> T refusals(Supplier<T> work) {
        try {
            return work.get();
        } catch (AllocationRefusedException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.code());
        } catch (IllegalArgumentException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.INVALID_ALLOCATION_REQUEST);
        }
    }
}
