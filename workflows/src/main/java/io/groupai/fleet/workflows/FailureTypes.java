package io.groupai.fleet.workflows;

import java.util.Set;

/**
 * Every {@code ApplicationFailure} type our code raises, in one place: workflows decide on retries
 * and outcomes by these strings, and operators see them in the Temporal UI. "Non-retryable" means
 * the failure is raised non-retryable (or is listed in the workflows' {@code setDoNotRetry}): a retry
 * cannot fix it. {@code ContractsTest} checks that no other source file spells them out.
 */
public final class FailureTypes {

    // --- workflows (control plane) ---

    /** Non-retryable. The workflow input lacks a required field (nodeId, action). */
    public static final String INVALID_REQUEST = "InvalidRequest";
    /** Non-retryable. Bootstrap of a server failed; the message names the step and the cause. */
    public static final String BOOTSTRAP_FAILED = "BootstrapFailed";
    /** A rolling upgrade stopped: a server's new agent did not come back healthy (it was rolled back). */
    public static final String UPGRADE_FAILED = "UpgradeFailed";
    /**
     * Non-retryable. A migration did not move the account (refused, or failed and rolled back); the
     * message names account, server and step, and the details carry the MigrationResult with its steps.
     */
    public static final String MIGRATION_FAILED = "MigrationFailed";
    /**
     * Non-retryable. A rebalance ran every planned move but some failed; the message names them and
     * the details carry the RebalanceReport (the moves that succeeded stay done).
     */
    public static final String REBALANCE_INCOMPLETE = "RebalanceIncomplete";
    /** Non-retryable. After a start the node reports the account not running (verify step). */
    public static final String NOT_RUNNING = "NotRunning";

    // --- control-plane activities: SSH and node installation ---

    /**
     * Non-retryable. A server operation over SSH that retrying cannot fix: bad credentials, changed
     * host key, full disk, permission denied, failed command, missing file, bad input, unsupported
     * platform, no node token.
     */
    public static final String NON_RETRYABLE_NODE_FAILURE = "NonRetryableNodeFailure";
    /** Retryable. The server did not answer on SSH (connect refused, no route, dropped session). */
    public static final String SSH_UNREACHABLE = "UNREACHABLE";
    /** Retryable. An SSH call timed out. */
    public static final String SSH_TIMEOUT = "TIMEOUT";
    /** Retryable. A file transfer broke off or its checksum did not match. */
    public static final String SSH_TRANSFER_FAILED = "TRANSFER_FAILED";

    // --- control-plane activities: allocation (all non-retryable) ---

    /** Non-retryable. The server has no room left (counted in the database under a row lock). */
    public static final String NO_CAPACITY = "NoCapacity";
    /** Non-retryable. The server is not active/healthy (disabled, down, draining, unhealthy) or not registered. */
    public static final String SERVER_NOT_ELIGIBLE = "ServerNotEligible";
    /** Non-retryable. The account is already placed or claimed by another operation, or does not exist. */
    public static final String ACCOUNT_UNAVAILABLE = "AccountUnavailable";
    /**
     * Non-retryable. A release, completion, failure mark or migration abort found the account's row
     * not held by this operation (another operation holds it, or its server contradicts the step):
     * nothing was changed, and retrying cannot help.
     */
    public static final String CLAIM_LOST = "ClaimLost";
    /** Non-retryable. The control plane holds no session archive for the account. */
    public static final String NO_SESSION = "NoStoredSession";
    /** Non-retryable. Allocation input the activity cannot act on (unknown strategy, bad id, no strategy). */
    public static final String INVALID_ALLOCATION_REQUEST = "InvalidAllocationRequest";

    // --- session store and backups (control plane) ---

    /**
     * Non-retryable. A transferred session archive does not have the SHA-256 it should (the one the node
     * computed at export, or the one recorded when it was stored): nothing was stored or installed.
     */
    public static final String SESSION_CHECKSUM_MISMATCH = "SessionChecksumMismatch";
    /**
     * Non-retryable. A session archive in the control plane's store does not decrypt or is not the one
     * recorded at store time (changed or damaged on disk, or another control-plane secret); the message
     * names the account and the step.
     */
    public static final String STORED_SESSION_CORRUPT = "StoredSessionCorrupt";
    /** Non-retryable. The account has no backup with that id. */
    public static final String BACKUP_NOT_FOUND = "BackupNotFound";
    /** Non-retryable. A restore did not put the backup back; the message names account, server and step. */
    public static final String RESTORE_FAILED = "RestoreFailed";

    // --- worker-node agent activities (task queue node-<id>) ---

    /** Non-retryable. An argument the agent cannot act on. */
    public static final String INVALID_ARGUMENT = "InvalidArgument";
    /** Retryable. An unexpected error inside the agent (a bug or an environment problem); logged there with its stack. */
    public static final String NODE_INTERNAL_ERROR = "NodeInternalError";
    /** Retryable. A node operation was interrupted or hit a passing I/O problem. */
    public static final String NODE_TRANSIENT_FAILURE = "NodeTransientFailure";
    /** Retryable. The agent holds no valid lease (its heartbeats fail), so it refuses to start accounts (fencing). */
    public static final String LEASE_NOT_HELD = "LeaseNotHeld";
    /**
     * Non-retryable. The control plane refused the account's TDLib database key to this node: the account is
     * neither assigned nor reserved to it (or does not exist), so the node must not open its session.
     */
    public static final String DATABASE_KEY_REFUSED = "DatabaseKeyRefused";
    /** Non-retryable. The account is running on the node; stop it first. */
    public static final String ACCOUNT_RUNNING = "AccountRunning";
    /** Non-retryable. The account is not running on the node. */
    public static final String ACCOUNT_NOT_RUNNING = "AccountNotRunning";
    /** Non-retryable. The node has no installed or uploaded session for the account. */
    public static final String SESSION_MISSING = "SessionMissing";
    /** Non-retryable. The session archive is not a readable zip or has too many entries. */
    public static final String INVALID_SESSION_ARCHIVE = "InvalidSessionArchive";
    /** Non-retryable. The session archive has unsafe entries (path traversal, links, duplicates). */
    public static final String UNSAFE_SESSION_ARCHIVE = "UnsafeSessionArchive";
    /** Non-retryable. The archive is not a TDLib database directory. */
    public static final String NOT_TDLIB_SESSION = "NotTdlibSession";
    /** Non-retryable. The archive or its unpacked content exceeds the size limit. */
    public static final String SESSION_ARCHIVE_TOO_LARGE = "SessionArchiveTooLarge";
    /** Non-retryable. A Pyrogram/Telethon .session, which TDLib cannot import: log the account in again. */
    public static final String FOREIGN_SESSION_FORMAT = "ForeignSessionFormat";
    /** Non-retryable. A dialogue script that does not parse or is not where it should be. */
    public static final String INVALID_SCRIPT = "InvalidScript";
    /** Non-retryable. A downloaded script does not have the expected SHA-256. */
    public static final String SCRIPT_CHECKSUM_MISMATCH = "ScriptChecksumMismatch";
    /** Retryable, not before the delay Telegram asked for (the failure carries it as next retry delay). */
    public static final String TELEGRAM_FLOOD_WAIT = "TelegramFLOOD_WAIT";
    /** Non-retryable. The account's authorization is gone (revoked, duplicated, deactivated). */
    public static final String TELEGRAM_AUTH = "TelegramAUTH";
    /** Non-retryable. The account has no Telegram client on the node. */
    public static final String TELEGRAM_NOT_RUNNING = "TelegramNOT_RUNNING";
    /** Retryable. Telegram network trouble, a timeout or a server error. */
    public static final String TELEGRAM_NETWORK = "TelegramNETWORK";
    /** Non-retryable. Telegram refused the request itself (bad chat, message too long...). */
    public static final String TELEGRAM_REJECTED = "TelegramREJECTED";

    private static final Set<String> ALL = Set.copyOf(Constants.of(FailureTypes.class));

    private FailureTypes() {}

    /** Every type above (for tests that check a producer raises only documented types). */
    public static Set<String> all() {
        return ALL;
    }
}
