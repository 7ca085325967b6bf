package io.groupai.fleet.workflows.allocation;

import java.util.List;

/** One outcome per requested account, in request order. */
public record AllocationResult(String workflowId, String type, String strategy, int requested, int placed, int failed,
                               List<AccountOutcome> outcomes) {
}
