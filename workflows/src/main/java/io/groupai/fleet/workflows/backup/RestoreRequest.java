package io.groupai.fleet.workflows.backup;

/** Input of {@link RestoreSessionWorkflow}: {@code {"accountId":"639277356155","backupId":"20261202T061500123Z-1a2b3c"}}. */
public record RestoreRequest(String accountId, String backupId) {}
