package io.groupai.fleet.workflows.nodes;

/**
 * Input of {@link BootstrapNodeWorkflow}: {@code {"nodeId": "worker-01"}}.
 *
 * @param firstPollTimeoutSeconds how long the new agent may take to poll its queue (null: 120)
 */
public record BootstrapRequest(String nodeId, Integer firstPollTimeoutSeconds) {

    public BootstrapRequest(String nodeId) {
        this(nodeId, null);
    }
}
