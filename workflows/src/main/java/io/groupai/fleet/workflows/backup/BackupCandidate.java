package io.groupai.fleet.workflows.backup;

/** An account a backup run exports: placed and running on {@code serverId}, held by no operation. */
public record BackupCandidate(String accountId, String serverId, String scriptId) {}
