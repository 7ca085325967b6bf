package io.groupai.fleet.workflows.allocation;

import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.groupai.fleet.workflows.agent.StartedAccount;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Accounts of one chunk planned onto the same server, walking the happy path of their sagas
 * together: each forward step (reserve, upload, start, record) is ONE activity for all of them —
 * one transaction, one SSH session and SFTP channel, one task on the node — instead of one per
 * account. Each account still runs its own saga (its own workflow thread): it calls a step here
 * and waits; the step's activity is scheduled once every account still in the batch has called
 * it. An account whose item failed, or which needs anything else (compensation, polling a
 * "starting" account, a next-best server), {@link #leave leaves} and goes on alone with the
 * single-account activities, so one account never holds up or fails its siblings. Deterministic:
 * it is driven only by the workflow's own threads and activity results.
 */
final class ServerBatch {

    final String serverId;
    private final Set<String> active = new LinkedHashSet<>();
    private final List<Step<?, ?>> steps;
    final Step<String, ReservedAccount> reserve;
    final Step<String, UploadedAccount> upload;
    final Step<StartAccountRequest, StartedAccount> start;
    /** Null item: recorded; otherwise why not. */
    final Step<CompleteRequest, String> complete;

    ServerBatch(
            String serverId,
            String operationId,
            List<String> accountIds,
            AllocationActivities allocation,
            SessionTransferActivities sessions,
            NodeAgentActivities node) {
        this.serverId = serverId;
        active.addAll(accountIds);
        reserve = new Step<>(
                ids -> Async.function(allocation::reserveBatch, new ReserveBatchRequest(serverId, operationId, ids))
                        .thenApply(list -> byAccount(list, ReservedAccount::accountId)));
        upload = new Step<>(ids -> Async.function(sessions::uploadBatch, serverId, ids)
                .thenApply(list -> byAccount(list, UploadedAccount::accountId)));
        start = new Step<>(requests -> Async.function(node::startAccounts, requests)
                .thenApply(list -> byAccount(list, StartedAccount::accountId)));
        complete = new Step<>(requests -> Async.function(allocation::completeBatch, requests));
        steps = List.of(reserve, upload, start, complete);
    }

    boolean has(String accountId) {
        return active.contains(accountId);
    }

    /** The account goes on alone; a step its siblings wait in is scheduled once they are all there. Idempotent. */
    void leave(String accountId) {
        if (active.remove(accountId)) {
            steps.forEach(Step::flushIfReady);
        }
    }

    private static <T> Map<String, T> byAccount(List<T> items, Function<T, String> id) {
        Map<String, T> map = new LinkedHashMap<>();
        items.forEach(item -> map.put(id.apply(item), item));
        return map;
    }

    /** One batched step: requests collected per account, one activity for all. */
    final class Step<R, T> {
        private final Function<List<R>, Promise<Map<String, T>>> issue;
        private final Map<String, R> pending = new LinkedHashMap<>();
        private Promise<Map<String, T>> result;

        private Step(Function<List<R>, Promise<Map<String, T>>> issue) {
            this.issue = issue;
        }

        /**
         * This account's item of the step (null when the activity returned none for it); throws the
         * activity's failure when the batched activity itself failed (after its retries).
         */
        T call(String accountId, R request) {
            pending.put(accountId, request);
            flushIfReady();
            Workflow.await(() -> result != null);
            return result.get().get(accountId);
        }

        private void flushIfReady() {
            if (result == null && !pending.isEmpty() && pending.keySet().containsAll(active)) {
                result = issue.apply(List.copyOf(pending.values()));
            }
        }
    }
}
