package io.groupai.fleet.workflows.reconcile;

import io.groupai.fleet.workflows.FailureTypes;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Control-plane activities of the reconciler: the database's side, the session directories over
 * SSH, and the database repairs. Node-side repairs (stop, start) go through
 * {@link io.groupai.fleet.workflows.agent.NodeAgentActivities} on the node's queue, session
 * uploads and removals through {@link io.groupai.fleet.workflows.allocation.SessionTransferActivities}.
 * Every repair is conditional on the row still being as the reconciler saw it; one that is not
 * fails with the non-retryable {@link FailureTypes#CLAIM_LOST} and changes nothing.
 */
@ActivityInterface(namePrefix = "Reconcile")
public interface ReconcileActivities {

    /** The servers to compare (all registered ones when {@code serverIds} is null or empty). */
    @ActivityMethod
    List<ServerTarget> servers(List<String> serverIds);

    /**
     * The next page of the servers to compare (all registered ones when {@code serverIds} is null or empty), in
     * node id order after {@code afterNodeId} (null: from the first), at most {@code limit}; ids only.
     */
    @ActivityMethod
    ServerPage serverPage(List<String> serverIds, String afterNodeId, int limit);

    /**
     * {@link #snapshot} for one page: the rows placed or reserved on {@code serverIds}, the rows of
     * {@code reportedIds} and of the accounts in {@code dirsByServer} (the session directories on each of the
     * page's servers), and with {@code global} the rows held by an operation with neither server nor
     * reservation, the duplicate groups and their rows. A row carries its stored session's checksum and time only
     * where a directory may be an orphan (on another server than the row's, or the row is held by an operation):
     * a directory on its own server needs none, so the store is not read 5,000 times per page.
     */
    @ActivityMethod
    FleetSnapshot pageSnapshot(
            List<String> serverIds,
            List<String> reportedIds,
            java.util.Map<String, List<String>> dirsByServer,
            boolean global);

    /**
     * Of these accounts, those their assigned server's latest heartbeat (younger than the lease TTL) lists as
     * running: a page asks about assigned servers of other pages, which it does not list itself.
     */
    @ActivityMethod
    List<String> heartbeatListed(List<AssignedServer> accounts);

    /** Lists {@code <deploy_dir>/sessions/} on the server over SSH. */
    @ActivityMethod
    List<SessionDir> sessionDirs(String serverId);

    /**
     * Reads the database's side after the nodes were asked: every placed, reserved or held account
     * (with the state of its holding workflow), the rows of {@code reportedIds}, and of
     * {@code dirAccountIds} with their stored session's checksum and time; duplicate Telegram users.
     */
    @ActivityMethod
    FleetSnapshot snapshot(List<String> reportedIds, List<String> dirAccountIds);

    /**
     * Re-reads the rows of {@code accountIds} and whether a workflow {@code account-<id>} runs for each, right
     * before repairs: a drift of an account whose row or operation changed since the snapshot is not acted on.
     */
    @ActivityMethod
    List<AccountCheck> recheck(List<String> accountIds);

    /**
     * Settles an orphaned operation's row with {@code action} (FINISH, RELEASE, ABORT_MIGRATION,
     * SETTLE_OFFLINE or MARK_FAILED), only while {@code operationId} still holds it.
     */
    @ActivityMethod
    void settle(String accountId, String serverId, String operationId, RepairAction action, String reason);

    /** Counts one more restart of an account on its server; returns the count. */
    @ActivityMethod
    int restartAttempt(String accountId, String serverId);

    /** Marks an account failed on its server with the reason, only while no operation holds it there. */
    @ActivityMethod
    void markFailed(String accountId, String serverId, String reason);

    /** Clears the restart count of accounts their servers run again. */
    @ActivityMethod
    void confirmRunning(List<String> accountIds);

    /** Writes one line of history (and logs it; an alert at WARN with "ALERT"). */
    @ActivityMethod
    void record(String workflowId, Drift drift, String outcome, String detail);
}
