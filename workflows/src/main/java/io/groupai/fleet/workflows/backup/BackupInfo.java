package io.groupai.fleet.workflows.backup;

/**
 * One stored session backup (ids and checksums only, never its content).
 *
 * @param backupId  sorts by time, e.g. {@code 20261202T061500123Z-1a2b3c}; null for "the current stored
 *                  session" where a fallback used that rather than a backup
 * @param createdAt ISO-8601 instant it was stored
 * @param source    where it came from (e.g. "backup from worker-01")
 */
public record BackupInfo(
        String accountId, String backupId, String createdAt, String sha256, long sizeBytes, String source) {}
