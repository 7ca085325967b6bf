package io.groupai.fleet.workflows.rebalance;

import io.temporal.activity.ActivityInterface;

/** Control-plane side of {@link RebalanceWorkflow}: reads the fleet from the database and plans. */
@ActivityInterface
public interface RebalanceActivities {

    /** Plans the moves; changes nothing. */
    RebalancePlan plan(RebalanceRequest request);
}
