package io.groupai.fleet.workflows.supervision;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Watches one server for as long as it is registered. Id {@code node-<nodeId>}
 * ({@link io.groupai.fleet.workflows.WorkflowIds#nodeSupervisor}), queue {@code control-plane}.
 * Workflow ids and task queue names are separate namespaces in Temporal, so this id does not clash
 * with the node's own task queue {@code node-<nodeId>}: it names the same server on purpose.
 *
 * <p>The node's heartbeat (its lease renewal) is the primary signal: the workflow reads the lease
 * from the database and sleeps until it would run out, so a healthy node costs one database read
 * per lease TTL, however often it heartbeats. A lease that runs out without renewal is a failed
 * check; then an SSH probe and a ping on the node's queue say more, and the check repeats every
 * health interval. Independently, every probe interval (default 5 min) a node with a valid lease
 * is probed and pinged too. {@code failureThreshold} (3) consecutive failed checks mark the server
 * down (alert in the log and the API) and start its failover; a renewed lease marks it up again.
 * Continues as new every so many checks, carrying its state and recent history.
 */
@WorkflowInterface
public interface NodeSupervisorWorkflow {

    /** Runs until the server is deleted; returns its last health then. */
    @WorkflowMethod
    NodeHealth supervise(SupervisionState state);

    @QueryMethod
    NodeHealth health();

    /** The same as {@link #health()}: every workflow of ours answers "progress" (the workflows API shows it). */
    @QueryMethod
    NodeHealth progress();

    /** Check now instead of at the next timer (e.g. after an operator fixed the server). */
    @SignalMethod
    void checkNow();
}
