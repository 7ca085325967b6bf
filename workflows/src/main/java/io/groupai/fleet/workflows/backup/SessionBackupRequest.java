package io.groupai.fleet.workflows.backup;

import java.util.List;

/**
 * Input of {@link SessionBackupWorkflow}: {@code {}} backs up every running account with the configured
 * defaults; {@code {"accountIds":["639277356155"],"keep":3,"parallelism":4}} narrows or overrides them.
 *
 * @param keep        backups kept per account (older ones are deleted after a new one is stored); 0: default
 * @param parallelism accounts backed up at once; 0: default
 * @param accountIds  only these accounts (null or empty: all running accounts)
 */
public record SessionBackupRequest(int keep, int parallelism, List<String> accountIds) {

    public static final int DEFAULT_KEEP = 3;
    public static final int DEFAULT_PARALLELISM = 4;

    public SessionBackupRequest() {
        this(0, 0, null);
    }

    public int keepOrDefault() {
        return keep > 0 ? keep : DEFAULT_KEEP;
    }

    public int parallelismOrDefault() {
        return parallelism > 0 ? parallelism : DEFAULT_PARALLELISM;
    }
}
