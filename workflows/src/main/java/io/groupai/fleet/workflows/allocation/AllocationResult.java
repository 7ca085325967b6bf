package io.groupai.fleet.workflows.allocation;

import java.util.List;

/**
 * Totals, and one outcome per requested account in request order when there were at most
 * {@link #MAX_OUTCOMES} (a larger allocation reports totals; its outcomes are in its chunks' results).
 */
public record AllocationResult(
        String workflowId,
        String type,
        String strategy,
        int requested,
        int placed,
        int failed,
        List<AccountOutcome> outcomes) {

    public static final int MAX_OUTCOMES = 1000;
}
