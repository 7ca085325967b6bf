package io.groupai.fleet.workflows.agent;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Activities that run ON a server, implemented by its worker-node agent and scheduled on that
 * server's own task queue {@code node-<nodeId>} (host-specific task queue pattern). A dead node
 * shows up as a schedule-to-start timeout, never as a hung workflow.
 *
 * <p>Every method is idempotent, so Temporal retries are safe: starting a running account and
 * stopping a stopped one are no-ops; installing what is installed changes nothing. Arguments are
 * ids and small values only, never session contents or secrets.
 */
@ActivityInterface(namePrefix = "Node")
public interface NodeAgentActivities {

    /** Proves the agent polls its queue; used by bootstrap and the node supervisor. */
    @ActivityMethod
    NodePing ping();

    /**
     * Starts the account from its session under {@code <deploy_dir>/sessions/<accountId>/}
     * (installing it first if the uploaded archive is not unpacked yet).
     */
    @ActivityMethod
    AccountRuntimeState startAccount(StartAccountRequest request);

    /**
     * {@link #startAccount} for several accounts in one task, in request order: each starts or
     * fails on its own ({@link StartedAccount#failure()}), so one account never fails its siblings.
     */
    @ActivityMethod
    List<StartedAccount> startAccounts(List<StartAccountRequest> requests);

    @ActivityMethod
    AccountRuntimeState stopAccount(String accountId);

    @ActivityMethod
    List<AccountRuntimeState> listAccounts();

    /**
     * Validates and unpacks the session archive the control plane uploaded to
     * {@code <deploy_dir>/sessions/<accountId>/} (TDLib database directory; zip-slip and size
     * checked). Idempotent.
     */
    @ActivityMethod
    SessionInfo installSession(String accountId);

    /** Removes the account's session from the node; the account must be stopped. Idempotent. */
    @ActivityMethod
    void removeSession(String accountId);

    /**
     * Packs the account's current session (it must be stopped) into an archive under
     * {@code <deploy_dir>/exports/}, for migration and backup; the control plane downloads it over SFTP.
     */
    @ActivityMethod
    ExportedSession exportSession(String accountId);

    /**
     * Deletes what a finished migration left on its source node: the archive {@link #exportSession}
     * wrote ({@code exportPath}: only a file of this account directly in {@code <deploy_dir>/exports/}
     * is accepted) and the account's now stale session directory. The account must be stopped here.
     * Called only after the account runs on its new server and the database row points there; a
     * rollback keeps both. Idempotent: what is already gone is not an error.
     */
    @ActivityMethod
    void discardMigratedSession(String accountId, String exportPath);

    /** Fetches a script version from the control plane's download URL and activates it. */
    @ActivityMethod
    ScriptInstallResult installScript(InstallScriptRequest request);

    @ActivityMethod
    void removeScript(String scriptId);

    @ActivityMethod
    SentMessage sendMessage(SendMessageRequest request);
}
