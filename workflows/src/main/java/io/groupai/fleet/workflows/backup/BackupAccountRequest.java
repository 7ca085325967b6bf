package io.groupai.fleet.workflows.backup;

/**
 * Input of {@link BackupAccountWorkflow}: one account on its server (started again with its dialogue script
 * {@code scriptId}, may be null), and how many backups to keep.
 */
public record BackupAccountRequest(String accountId, String serverId, String scriptId, int keep) {}
