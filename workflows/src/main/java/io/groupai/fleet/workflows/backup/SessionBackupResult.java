package io.groupai.fleet.workflows.backup;

import java.util.List;

/** A backup run: one outcome per account; one account failing never fails the others nor the run. */
public record SessionBackupResult(int total, int succeeded, int failed, List<AccountBackupOutcome> accounts) {}
