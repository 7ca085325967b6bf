package io.groupai.fleet.app.rebalance;

import io.groupai.fleet.app.temporal.RecurringWorkflows;
import io.groupai.fleet.rebalance.RebalanceProperties;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.groupai.fleet.workflows.rebalance.RebalanceRequest;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs the rebalance every {@code groupai.rebalance.every} as {@code rebalance-scheduled}, through
 * {@link RecurringWorkflows}. Off with {@code groupai.rebalance.scheduled=false}.
 */
@Component
public class RebalanceSchedule {

    private final RecurringWorkflows recurring;
    private final RebalanceProperties properties;

    RebalanceSchedule(RecurringWorkflows recurring, RebalanceProperties properties) {
        this.recurring = recurring;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void apply() {
        recurring.apply(new RecurringWorkflows.Recurring(
                "rebalance",
                WorkflowIds.rebalanceScheduled(),
                properties.scheduled(),
                "groupai.rebalance.scheduled=false; run it with POST /api/v1/group-ai/rebalance",
                WorkflowTypes.REBALANCE,
                RebalanceRequest.scheduled(),
                properties.every(),
                null));
    }
}
