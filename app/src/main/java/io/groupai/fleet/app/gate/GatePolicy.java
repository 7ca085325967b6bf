package io.groupai.fleet.app.gate;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.groupai.fleet.workflows.TaskQueues;
import io.temporal.api.worker.v1.WorkerHeartbeat;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueRequest;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueResponse;
import io.temporal.api.workflowservice.v1.RecordActivityTaskHeartbeatRequest;
import io.temporal.api.workflowservice.v1.RecordWorkerHeartbeatRequest;
import io.temporal.api.workflowservice.v1.RespondActivityTaskCanceledRequest;
import io.temporal.api.workflowservice.v1.RespondActivityTaskCompletedRequest;
import io.temporal.api.workflowservice.v1.RespondActivityTaskFailedRequest;
import io.temporal.api.workflowservice.v1.ShutdownWorkerRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a worker node may ask of Temporal through the gate: exactly what an activity worker on its
 * own queue {@code node-<id>} needs. Nodes run no workflows, so workflow-task polling (and with it
 * sticky queues) is refused like everything else.
 *
 * <p>A task token is opaque to the gate and not signed by Temporal, so a node could forge one for an
 * activity of another queue. The gate therefore remembers which node each activity task was handed
 * to (from the poll responses it forwards) and lets only that node heartbeat or answer it. Tasks
 * handed out before a restart of the control plane cannot be answered afterwards: Temporal times
 * them out and retries them, as it does when a node dies.
 */
final class GatePolicy {

    static final String POLL_ACTIVITY =
            WorkflowServiceGrpc.getPollActivityTaskQueueMethod().getFullMethodName();
    static final String RESPOND_COMPLETED =
            WorkflowServiceGrpc.getRespondActivityTaskCompletedMethod().getFullMethodName();
    static final String RESPOND_FAILED =
            WorkflowServiceGrpc.getRespondActivityTaskFailedMethod().getFullMethodName();
    static final String RESPOND_CANCELED =
            WorkflowServiceGrpc.getRespondActivityTaskCanceledMethod().getFullMethodName();
    static final String HEARTBEAT =
            WorkflowServiceGrpc.getRecordActivityTaskHeartbeatMethod().getFullMethodName();
    static final String DESCRIBE_NAMESPACE =
            WorkflowServiceGrpc.getDescribeNamespaceMethod().getFullMethodName();
    static final String SYSTEM_INFO =
            WorkflowServiceGrpc.getGetSystemInfoMethod().getFullMethodName();
    static final String HEALTH_CHECK = "grpc.health.v1.Health/Check";
    static final String WORKER_HEARTBEAT =
            WorkflowServiceGrpc.getRecordWorkerHeartbeatMethod().getFullMethodName();
    static final String SHUTDOWN_WORKER =
            WorkflowServiceGrpc.getShutdownWorkerMethod().getFullMethodName();

    private record Issued(String nodeId, Instant expiresAt) {}

    private final String namespace;
    private final Duration taskTokenTtl;
    private final Clock clock;
    private final Map<ByteString, Issued> issued = new ConcurrentHashMap<>();
    private final AtomicLong inserts = new AtomicLong();

    GatePolicy(String namespace, Duration taskTokenTtl, Clock clock) {
        this.namespace = namespace;
        this.taskTokenTtl = taskTokenTtl;
        this.clock = clock;
    }

    /** Null when {@code nodeId} may make this call; else why not (for PERMISSION_DENIED). */
    String refusal(String nodeId, String method, byte[] request) {
        try {
            if (method.equals(SYSTEM_INFO) || method.equals(HEALTH_CHECK)) {
                return null;
            }
            if (method.equals(DESCRIBE_NAMESPACE)) {
                return ownNamespace(DescribeNamespaceRequest.parseFrom(request).getNamespace());
            }
            if (method.equals(POLL_ACTIVITY)) {
                PollActivityTaskQueueRequest poll = PollActivityTaskQueueRequest.parseFrom(request);
                String ns = ownNamespace(poll.getNamespace());
                if (ns != null) {
                    return ns;
                }
                return ownQueue(nodeId, poll.getTaskQueue().getName());
            }
            if (method.equals(RESPOND_COMPLETED)) {
                RespondActivityTaskCompletedRequest r = RespondActivityTaskCompletedRequest.parseFrom(request);
                return ownTask(nodeId, r.getNamespace(), r.getTaskToken());
            }
            if (method.equals(RESPOND_FAILED)) {
                RespondActivityTaskFailedRequest r = RespondActivityTaskFailedRequest.parseFrom(request);
                return ownTask(nodeId, r.getNamespace(), r.getTaskToken());
            }
            if (method.equals(RESPOND_CANCELED)) {
                RespondActivityTaskCanceledRequest r = RespondActivityTaskCanceledRequest.parseFrom(request);
                return ownTask(nodeId, r.getNamespace(), r.getTaskToken());
            }
            if (method.equals(HEARTBEAT)) {
                RecordActivityTaskHeartbeatRequest r = RecordActivityTaskHeartbeatRequest.parseFrom(request);
                return ownTask(nodeId, r.getNamespace(), r.getTaskToken());
            }
            // The SDK's own bookkeeping of its worker (since SDK 1.30): only about the node's own queue.
            if (method.equals(WORKER_HEARTBEAT)) {
                RecordWorkerHeartbeatRequest r = RecordWorkerHeartbeatRequest.parseFrom(request);
                String ns = ownNamespace(r.getNamespace());
                if (ns != null) {
                    return ns;
                }
                for (WorkerHeartbeat h : r.getWorkerHeartbeatList()) {
                    String q = ownQueue(nodeId, h.getTaskQueue());
                    if (q != null) {
                        return q;
                    }
                }
                return null;
            }
            // Answered by the gate itself (see answeredByGate): only the namespace is checked.
            if (method.equals(SHUTDOWN_WORKER)) {
                return ownNamespace(ShutdownWorkerRequest.parseFrom(request).getNamespace());
            }
        } catch (InvalidProtocolBufferException e) {
            return "malformed " + method + " request";
        }
        return "a worker node may not call " + method
                + " (nodes may only poll, heartbeat and answer the activity tasks of their own queue)";
    }

    /**
     * Calls the gate answers itself with an empty response instead of forwarding: the SDK's ShutdownWorker
     * names the worker's sticky queue, which a node (it runs no workflows) never polls, and releasing a
     * queue is nothing a node needs to ask Temporal for.
     */
    static boolean answeredByGate(String method) {
        return method.equals(SHUTDOWN_WORKER);
    }

    /** Sees each successful answer the gate forwards to {@code nodeId}. */
    void answered(String nodeId, String method, byte[] request, byte[] response) {
        try {
            if (method.equals(POLL_ACTIVITY)) {
                ByteString token =
                        PollActivityTaskQueueResponse.parseFrom(response).getTaskToken();
                if (!token.isEmpty()) {
                    issued.put(token, new Issued(nodeId, clock.instant().plus(taskTokenTtl)));
                    if (inserts.incrementAndGet() % 256 == 0) {
                        Instant now = clock.instant();
                        issued.values().removeIf(i -> i.expiresAt().isBefore(now));
                    }
                }
            } else if (method.equals(RESPOND_COMPLETED)) {
                issued.remove(
                        RespondActivityTaskCompletedRequest.parseFrom(request).getTaskToken());
            } else if (method.equals(RESPOND_FAILED)) {
                issued.remove(
                        RespondActivityTaskFailedRequest.parseFrom(request).getTaskToken());
            } else if (method.equals(RESPOND_CANCELED)) {
                issued.remove(
                        RespondActivityTaskCanceledRequest.parseFrom(request).getTaskToken());
            }
        } catch (InvalidProtocolBufferException e) {
            // Temporal's own answer: nothing to track if it cannot be read.
        }
    }

    int outstandingTasks() {
        return issued.size();
    }

    private String ownNamespace(String requested) {
        return namespace.equals(requested)
                ? null
                : "worker nodes may use only namespace '" + namespace + "', not '" + requested + "'";
    }

    private static String ownQueue(String nodeId, String queue) {
        String own = TaskQueues.node(nodeId);
        return own.equals(queue)
                ? null
                : "node " + nodeId + " may use only its own task queue " + own + ", not '" + queue + "'";
    }

    private String ownTask(String nodeId, String requestedNamespace, ByteString token) {
        String ns = ownNamespace(requestedNamespace);
        if (ns != null) {
            return ns;
        }
        Issued i = issued.get(token);
        if (i == null || !i.nodeId().equals(nodeId) || i.expiresAt().isBefore(clock.instant())) {
            return "node " + nodeId + " may only answer activity tasks the gate handed to it";
        }
        return null;
    }
}
