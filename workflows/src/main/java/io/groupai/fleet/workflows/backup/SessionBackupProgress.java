package io.groupai.fleet.workflows.backup;

import java.util.List;

/** Progress of a backup run: how many accounts there are, which run now, and the outcomes so far. */
public record SessionBackupProgress(
        int total, int succeeded, int failed, List<String> running, List<AccountBackupOutcome> done) {}
