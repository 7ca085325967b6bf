package io.groupai.fleet.app.backups;

import io.groupai.fleet.app.temporal.RecurringWorkflows;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.groupai.fleet.workflows.backup.SessionBackupRequest;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs the session backup on {@code groupai.session-backups.cron} as {@code session-backup-scheduled},
 * through {@link RecurringWorkflows}. Off with {@code groupai.session-backups.scheduled=false}.
 */
@Component
class SessionBackupSchedule {

    private final RecurringWorkflows recurring;
    private final SessionBackupProperties properties;

    SessionBackupSchedule(RecurringWorkflows recurring, SessionBackupProperties properties) {
        this.recurring = recurring;
        this.properties = properties;
    }

    /** What every run does: all running accounts, the configured keep and parallelism. */
    SessionBackupRequest request() {
        return new SessionBackupRequest(properties.keep(), properties.parallelism(), null);
    }

    @EventListener(ApplicationReadyEvent.class)
    void apply() {
        recurring.apply(new RecurringWorkflows.Recurring(
                "session backups",
                WorkflowIds.sessionBackupScheduled(),
                properties.scheduled(),
                "groupai.session-backups.scheduled=false; run them with POST /api/v1/group-ai/session-backups/run",
                WorkflowTypes.SESSION_BACKUP,
                request(),
                null,
                properties.cron()));
    }
}
