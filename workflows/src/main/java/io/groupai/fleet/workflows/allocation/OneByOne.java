package io.groupai.fleet.workflows.allocation;

import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.groupai.fleet.workflows.agent.StartedAccount;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The batched activities done one account at a time through the single-account methods, each
 * item failing on its own: for implementations (test doubles, the node agent) with no cheaper way.
 * Temporal registers only abstract interface methods as activities, hence helpers, not defaults.
 */
public final class OneByOne {

    private OneByOne() {}

    public static List<ReservedAccount> reserve(AllocationActivities activities, ReserveBatchRequest request) {
        List<ReservedAccount> out = new ArrayList<>();
        for (String accountId : request.accountIds()) {
            try {
                out.add(new ReservedAccount(
                        accountId,
                        activities.reserve(new ReserveRequest(accountId, request.serverId(), request.workflowId())),
                        null));
            } catch (RuntimeException e) {
                out.add(new ReservedAccount(accountId, null, describe(e)));
            }
        }
        return out;
    }

    public static Map<String, String> complete(AllocationActivities activities, List<CompleteRequest> requests) {
        Map<String, String> failed = new LinkedHashMap<>();
        for (CompleteRequest r : requests) {
            try {
                activities.complete(r);
            } catch (RuntimeException e) {
                failed.put(r.accountId(), describe(e));
            }
        }
        return failed;
    }

    public static List<UploadedAccount> upload(
            SessionTransferActivities activities, String serverId, List<String> accountIds) {
        List<UploadedAccount> out = new ArrayList<>();
        for (String accountId : accountIds) {
            try {
                out.add(new UploadedAccount(accountId, activities.upload(accountId, serverId), null));
            } catch (RuntimeException e) {
                out.add(new UploadedAccount(accountId, null, describe(e)));
            }
        }
        return out;
    }

    public static List<StartedAccount> start(NodeAgentActivities node, List<StartAccountRequest> requests) {
        List<StartedAccount> out = new ArrayList<>();
        for (StartAccountRequest request : requests) {
            try {
                out.add(new StartedAccount(request.accountId(), node.startAccount(request), null));
            } catch (RuntimeException e) {
                out.add(new StartedAccount(request.accountId(), null, describe(e)));
            }
        }
        return out;
    }

    /** The words of one item's failure: an ApplicationFailure's own message, else the exception's. */
    public static String describe(RuntimeException e) {
        String message = e instanceof ApplicationFailure a ? a.getOriginalMessage() : e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
