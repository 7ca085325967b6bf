package io.groupai.fleet.rebalance;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.rebalance.RebalanceActivities;
import io.groupai.fleet.workflows.rebalance.RebalancePlan;
import io.groupai.fleet.workflows.rebalance.RebalanceRequest;
import io.temporal.failure.ApplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

@Component("rebalanceActivities")
public class RebalanceActivitiesImpl implements RebalanceActivities {

    private static final Logger log = LoggerFactory.getLogger(RebalanceActivitiesImpl.class);

    private final RebalanceService service;

    public RebalanceActivitiesImpl(RebalanceService service) {
        this.service = service;
    }

    @Override
    public RebalancePlan plan(RebalanceRequest request) {
        try {
            RebalancePlan plan = service.plan(request);
            log.info("rebalance plan: {} (planned in {} ms)", plan.message(), plan.plannerMillis());
            return plan;
        } catch (IllegalArgumentException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.INVALID_REQUEST);
        }
    }
}
