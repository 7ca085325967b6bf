package io.groupai.fleet.workflows.allocation;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Control-plane activities that move session archives over SFTP between the control plane's
 * session store and a server's {@code <deploy_dir>/sessions/<accountId>/}. Ids in, paths and
 * checksums out; session content never enters a payload.
 */
@ActivityInterface(namePrefix = "Session")
public interface SessionTransferActivities {

    /** Uploads the stored archive atomically with checksum; fails non-retryably if none is stored. */
    @ActivityMethod
    UploadedSession upload(String accountId, String serverId);

    /**
     * {@link #upload} of several accounts' archives to one server, in request order; each item
     * succeeds or fails on its own. {@link OneByOne#upload} uploads them one at a time; the SFTP
     * implementation uses one SSH session and one SFTP channel for all (no remote command for small archives).
     */
    @ActivityMethod
    java.util.List<UploadedAccount> uploadBatch(String serverId, java.util.List<String> accountIds);

    /** Removes the account's session directory from the server (compensation); idempotent. */
    @ActivityMethod
    void remove(String accountId, String serverId);

    /**
     * Downloads a session the node exported ({@code remotePath}, absolute on that server) into the
     * session store, replacing the stored archive atomically, once the downloaded bytes proved to have
     * {@code expectedSha256} (what the node computed at export; null: only the transfer's own check):
     * else it fails non-retryably (SessionChecksumMismatch) and the stored archive stays as it was.
     */
    @ActivityMethod
    UploadedSession fetchExported(String accountId, String serverId, String remotePath, String expectedSha256);
}
