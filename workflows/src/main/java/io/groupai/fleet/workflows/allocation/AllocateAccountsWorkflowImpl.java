package io.groupai.fleet.workflows.allocation;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.SearchAttributeKeys;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;

/**
 * Pages through the accounts chunk by chunk: plans a chunk (once; the plan has no side effect),
 * hands it to a child {@link AllocateChunkWorkflow} and adds the child's outcome to the totals.
 * After {@link #CHUNKS_PER_RUN} chunks it continues as new with the totals and where it is, so
 * no run's history grows with the number of accounts. Account ids never ride in the input for
 * auto: each page is read from the database after the last id taken up.
 */
public class AllocateAccountsWorkflowImpl implements AllocateAccountsWorkflow {

    private static final Logger log = Workflow.getLogger(AllocateAccountsWorkflowImpl.class);

    /** About 20 events per chunk in this workflow: a run of 40 chunks stays under a thousand events. */
    static final int CHUNKS_PER_RUN = 40;

    private final AllocationActivities allocation =
            Workflow.newActivityStub(AllocationActivities.class, AllocateChunkWorkflowImpl.CONTROL_PLANE);

    private AllocationContinuation at = AllocationContinuation.START;
    private int running;
    private String currentChunk;
    private PlanResult firstPlan;

    @Override
    public AllocationResult allocate(AllocationRequest input) {
        AllocationRequest request = input == null ? AllocationRequest.auto(null) : input;
        String workflowId = Workflow.getInfo().getWorkflowId();
        AllocationType type = request.effectiveType();
        boolean fixed = request.hasTargets();
        if (!fixed && request.strategy() == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "request needs a strategy, e.g. {\"strategy\":\"balanced\"}",
                    FailureTypes.INVALID_ALLOCATION_REQUEST);
        }
        if (request.resume() != null) {
            at = request.resume();
        }
        // Outcomes are listed only for small allocations; large ones report totals (outcomes are in each chunk's
        // result).
        List<AccountOutcome> outcomes = request.resume() == null ? new ArrayList<>() : null;
        for (int inRun = 0; ; inRun++) {
            if (inRun == CHUNKS_PER_RUN) {
                log.info(
                        "allocation {}: {} chunks, {} accounts so far; continuing as new",
                        workflowId,
                        at.chunks(),
                        at.accounts());
                Workflow.continueAsNew(request.resumeAt(at));
            }
            Chunk chunk = nextChunk(request, fixed);
            if (chunk.accountIds().isEmpty()) {
                break;
            }
            Map<String, AccountOutcome> byAccount = new LinkedHashMap<>();
            chunk.accountIds().forEach(id -> byAccount.put(id, null));
            for (UnplacedAccount unplaced : chunk.plan().unplaced()) {
                byAccount.put(
                        unplaced.accountId(),
                        new AccountOutcome(
                                unplaced.accountId(),
                                false,
                                null,
                                null,
                                null,
                                "account " + unplaced.accountId() + ", step plan: " + unplaced.reason(),
                                List.of(),
                                0));
            }
            List<PlannedPlacement> placements = chunk.plan().placements();
            indexFirstChunkOnThisRun(request, chunk);
            at = new AllocationContinuation(
                    chunk.afterAccountId(),
                    chunk.offset(),
                    at.chunks() + (placements.isEmpty() ? 0 : 1),
                    at.accounts() + chunk.accountIds().size(),
                    at.planned() + placements.size(),
                    at.unplaced() + chunk.plan().unplaced().size(),
                    at.placed(),
                    at.failed() + chunk.plan().unplaced().size());
            if (!placements.isEmpty()) {
                AllocationResult result = runChunk(request, workflowId, type, fixed, placements);
                result.outcomes().forEach(o -> byAccount.put(o.accountId(), o));
                at = new AllocationContinuation(
                        at.afterAccountId(),
                        at.offset(),
                        at.chunks(),
                        at.accounts(),
                        at.planned(),
                        at.unplaced(),
                        at.placed() + result.placed(),
                        at.failed() + result.failed());
            }
            if (outcomes != null) {
                outcomes.addAll(byAccount.values());
                if (outcomes.size() > AllocationResult.MAX_OUTCOMES) {
                    outcomes = null;
                }
            }
        }
        log.info("allocation {} done: {} placed, {} failed", workflowId, at.placed(), at.failed());
        return new AllocationResult(
                workflowId,
                type.wireName(),
                fixed ? null : request.strategy(),
                at.accounts(),
                at.placed(),
                at.failed(),
                outcomes == null ? List.of() : outcomes);
    }

    private record Chunk(List<String> accountIds, PlanResult plan, String afterAccountId, int offset) {}

    /**
     * Whether this run carries our search attributes: the app sets {@code Operation} only where the
     * cluster has them registered, and an unregistered attribute would fail the command that sets it.
     */
    private static boolean indexed() {
        return Workflow.getTypedSearchAttributes().containsKey(SearchAttributeKeys.OPERATION);
    }

    /** The ids to list in a search attribute: none (an empty list) where they would exceed Temporal's size limit. */
    private static List<String> listable(Stream<String> ids) {
        List<String> distinct = ids.distinct().toList();
        return distinct.size() <= SearchAttributeKeys.MAX_LISTED ? distinct : List.of();
    }

    /**
     * An auto allocation starts without account ids, so the app could not set {@code AccountId}: once
     * the first chunk turns out to hold every account (it is not full), the parent lists them too,
     * and {@code AccountId="..."} finds the allocation itself as well as its chunk.
     */
    private void indexFirstChunkOnThisRun(AllocationRequest request, Chunk chunk) {
        boolean firstAndLast = at.chunks() == 0 && chunk.accountIds().size() < request.effectiveChunkSize();
        if (firstAndLast
                && indexed()
                && !Workflow.getTypedSearchAttributes().containsKey(SearchAttributeKeys.ACCOUNT_ID)) {
            List<String> ids = listable(chunk.accountIds().stream());
            if (!ids.isEmpty()) {
                Workflow.upsertTypedSearchAttributes(SearchAttributeKeys.ACCOUNT_ID.valueSet(ids));
            }
        }
    }

    /** The next accounts and their plan: a page of targets, of the given ids, or of the unallocated accounts. */
    private Chunk nextChunk(AllocationRequest request, boolean fixed) {
        int size = request.effectiveChunkSize();
        if (fixed) {
            List<FixedTarget> page = page(request.targets(), at.offset(), size);
            List<PlannedPlacement> placements = page.stream()
                    .map(t -> new PlannedPlacement(t.accountId(), t.serverId(), 0))
                    .toList();
            return planned(new Chunk(
                    page.stream().map(FixedTarget::accountId).toList(),
                    new PlanResult(null, placements, List.of()),
                    null,
                    at.offset() + page.size()));
        }
        List<String> ids;
        String after = at.afterAccountId();
        int offset = at.offset();
        if (request.accountIds() == null || request.accountIds().isEmpty()) {
            ids = allocation.unallocatedAccounts(after, size);
            after = ids.isEmpty() ? after : ids.getLast();
        } else {
            ids = page(request.accountIds(), offset, size);
            offset += ids.size();
        }
        PlanResult plan = ids.isEmpty()
                ? new PlanResult(request.strategy(), List.of(), List.of())
                : allocation.plan(new PlanRequest(request.strategy(), ids, List.of()));
        return planned(new Chunk(ids, plan, after, offset));
    }

    private Chunk planned(Chunk chunk) {
        if (firstPlan == null && !chunk.accountIds().isEmpty()) {
            firstPlan = chunk.plan();
        }
        return chunk;
    }

    private static <T> List<T> page(List<T> all, int offset, int size) {
        return all.subList(Math.min(offset, all.size()), Math.min(offset + size, all.size()));
    }

    private AllocationResult runChunk(
            AllocationRequest request,
            String workflowId,
            AllocationType type,
            boolean fixed,
            List<PlannedPlacement> placements) {
        currentChunk = workflowId + "-chunk-" + at.chunks();
        running = placements.size();
        ChildWorkflowOptions.Builder options = ChildWorkflowOptions.newBuilder().setWorkflowId(currentChunk);
        if (indexed()) {
            options.setTypedSearchAttributes(SearchAttributes.newBuilder()
                    .set(
                            SearchAttributeKeys.OPERATION,
                            Workflow.getTypedSearchAttributes().get(SearchAttributeKeys.OPERATION))
                    .set(
                            SearchAttributeKeys.ACCOUNT_ID,
                            listable(placements.stream().map(PlannedPlacement::accountId)))
                    .set(
                            SearchAttributeKeys.NODE_ID,
                            listable(placements.stream().map(PlannedPlacement::serverId)))
                    .build());
        }
        AllocateChunkWorkflow child = Workflow.newChildWorkflowStub(AllocateChunkWorkflow.class, options.build());
        try {
            return child.allocate(new ChunkRequest(
                    workflowId,
                    type,
                    fixed ? null : request.strategy(),
                    fixed,
                    List.copyOf(placements),
                    request.effectiveParallelism(),
                    request.effectiveAlternatives(),
                    request.nodeScheduleToStartSeconds()));
        } catch (ChildWorkflowFailure f) {
            // A chunk isolates its accounts, so this means it was terminated or timed out: count them failed, go on.
            String why = "chunk " + currentChunk + " ended without a result: "
                    + (f.getCause() == null ? f.getMessage() : f.getCause().getMessage());
            List<AccountOutcome> failed = placements.stream()
                    .map(p -> new AccountOutcome(
                            p.accountId(),
                            false,
                            null,
                            null,
                            null,
                            "account " + p.accountId() + " on server " + p.serverId() + ": " + why,
                            List.of(),
                            0))
                    .toList();
            return new AllocationResult(
                    currentChunk, type.wireName(), request.strategy(), failed.size(), 0, failed.size(), failed);
        } finally {
            running = 0;
        }
    }

    @Override
    public AllocationProgress progress() {
        return new AllocationProgress(
                at.accounts(),
                at.planned(),
                at.unplaced(),
                at.placed(),
                at.failed(),
                running,
                at.chunks(),
                currentChunk,
                List.of());
    }

    @Override
    public PlanResult plan() {
        return firstPlan;
    }
}
