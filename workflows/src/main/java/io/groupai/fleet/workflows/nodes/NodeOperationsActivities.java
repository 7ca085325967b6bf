package io.groupai.fleet.workflows.nodes;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Control-plane activities that reach a node over SSH. Implementations look the node's address
 * and credentials up by id, so no secret ever enters a workflow payload.
 */
@ActivityInterface
public interface NodeOperationsActivities {

    /** Probes the node (process, CPU, memory, disk, latency) and stores the result on its row. */
    @ActivityMethod
    NodeProbeReport probe(String nodeId);

    /** Starts the worker process unless it runs (pid file, or {@code systemctl start} of its unit in systemd mode). */
    @ActivityMethod
    ProcessState startWorker(String nodeId);

    /** Stops the worker process group named by the pid file (or its unit); a no-op when nothing runs. */
    @ActivityMethod
    ProcessState stopWorker(String nodeId);
}
