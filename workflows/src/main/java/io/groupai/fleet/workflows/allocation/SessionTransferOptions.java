package io.groupai.fleet.workflows.allocation;

import io.temporal.activity.ActivityOptions;
import java.time.Duration;

/**
 * Activity options of the session transfer activities ({@link SessionTransferActivities}), derived from the
 * transfer limits so that Temporal never starts a retry while an earlier attempt may still be writing:
 * <ul>
 *   <li>an archive is at most {@link #MAX_ARCHIVE_BYTES} (the default of {@code groupai.sessions.max-archive-bytes});</li>
 *   <li>at the slowest link we support ({@link #MIN_BYTES_PER_SECOND}) that takes less than
 *       {@link #SFTP_TRANSFER_TIMEOUT} (the default of {@code groupai.ssh.transfer-timeout}), after which the
 *       SFTP stream itself is cut;</li>
 *   <li>around the stream an attempt runs a few SSH commands (connect, prepare, remote checksum, rename), each
 *       bounded by the SSH command timeout: {@link #SSH_COMMANDS_MARGIN};</li>
 *   <li>start-to-close is the sum, so an attempt has ended (or been cut) before it expires; the control plane
 *       refuses SSH timeouts that would not fit in it ({@code SshProperties}).</li>
 * </ul>
 * The activities heartbeat the bytes moved, so a stuck attempt is noticed after {@link #HEARTBEAT_TIMEOUT}
 * rather than at the end of start-to-close; every attempt writes to its own temporary name, so an attempt
 * overlapping a stuck one cannot destroy it.
 */
public final class SessionTransferOptions {

    public static final long MAX_ARCHIVE_BYTES = 256L * 1024 * 1024;
    public static final long MIN_BYTES_PER_SECOND = 1024 * 1024;
    public static final Duration SFTP_TRANSFER_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration SSH_COMMANDS_MARGIN = Duration.ofMinutes(3);
    public static final Duration START_TO_CLOSE = SFTP_TRANSFER_TIMEOUT.plus(SSH_COMMANDS_MARGIN);
    public static final Duration HEARTBEAT_TIMEOUT = Duration.ofMinutes(1);

    static {
        if (Duration.ofSeconds(MAX_ARCHIVE_BYTES / MIN_BYTES_PER_SECOND).compareTo(SFTP_TRANSFER_TIMEOUT) > 0) {
            throw new ExceptionInInitializerError("the largest archive must fit in the SFTP transfer timeout");
        }
    }

    public static final ActivityOptions OPTIONS = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(START_TO_CLOSE)
            .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
            .setRetryOptions(AllocateChunkWorkflowImpl.BOUNDED_RETRIES)
            .build();

    /**
     * A batched upload of {@code archives} archives moves them one after the other on one channel, each cut at
     * the transfer timeout: start-to-close grows with the batch; the heartbeat timeout stays per archive.
     */
    static ActivityOptions forBatch(int archives) {
        return ActivityOptions.newBuilder(OPTIONS)
                .setStartToCloseTimeout(SFTP_TRANSFER_TIMEOUT
                        .multipliedBy(Math.max(1, archives))
                        .plus(SSH_COMMANDS_MARGIN))
                .build();
    }

    private SessionTransferOptions() {}
}
