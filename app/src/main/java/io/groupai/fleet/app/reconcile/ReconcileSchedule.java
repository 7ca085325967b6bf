package io.groupai.fleet.app.reconcile;

import io.groupai.fleet.app.temporal.RecurringWorkflows;
import io.groupai.fleet.reconcile.ReconcileProperties;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.groupai.fleet.workflows.reconcile.ReconcileRequest;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs the reconciliation (repairs) every {@code groupai.reconcile.every} as {@code reconcile-scheduled},
 * through {@link RecurringWorkflows}, {@code groupai.reconcile.offset} after each multiple of the interval so
 * it does not fire on the rebalance's or the session backup's tick. Off with {@code groupai.reconcile.scheduled=false}.
 */
@Component
public class ReconcileSchedule {

    private final RecurringWorkflows recurring;
    private final ReconcileProperties properties;

    ReconcileSchedule(RecurringWorkflows recurring, ReconcileProperties properties) {
        this.recurring = recurring;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void apply() {
        recurring.apply(new RecurringWorkflows.Recurring(
                "reconciliation",
                WorkflowIds.reconcileScheduled(),
                properties.scheduled(),
                "groupai.reconcile.scheduled=false; run it with POST /api/v1/group-ai/reconciliation",
                WorkflowTypes.RECONCILE,
                ReconcileRequest.repair(),
                properties.every(),
                null,
                properties.offset()));
    }
}
