package io.groupai.fleet.node;

import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.NodePing;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;

/** A tiny test workflow that pings a node on its own queue, as the node supervisor does. */
@WorkflowInterface
public interface PingWorkflow {

    @WorkflowMethod
    NodePing ping(String nodeId);

    final class Impl implements PingWorkflow {
        @Override
        public NodePing ping(String nodeId) {
            NodeAgentActivities node = Workflow.newActivityStub(
                    NodeAgentActivities.class,
                    ActivityOptions.newBuilder()
                            .setTaskQueue(TaskQueues.node(nodeId))
                            .setScheduleToCloseTimeout(Duration.ofSeconds(90))
                            .setStartToCloseTimeout(Duration.ofSeconds(10))
                            .build());
            return node.ping();
        }
    }
}
