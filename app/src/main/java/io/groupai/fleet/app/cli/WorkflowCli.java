package io.groupai.fleet.app.cli;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.PrintStream;
import java.util.Optional;

/**
 * A standalone Temporal client for operators: describes a workflow and prints its progress,
 * talking gRPC to any Temporal server (the embedded one included), in its own process.
 *
 * <pre>java -cp app.jar -Dloader.main=io.groupai.fleet.app.cli.WorkflowCli \
 *      org.springframework.boot.loader.launch.PropertiesLauncher describe server-op-worker-01</pre>
 */
public final class WorkflowCli {

    private WorkflowCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || !args[0].equals("describe")) {
            err.println("usage: describe <workflow-id> [--address host:port] [--namespace name]");
            return 2;
        }
        String workflowId = args[1];
        String address = option(args, "--address", System.getenv().getOrDefault("TEMPORAL_ADDRESS", "127.0.0.1:7233"));
        String namespace = option(args, "--namespace", System.getenv().getOrDefault("TEMPORAL_NAMESPACE", "default"));
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        try {
            WorkflowExecutionInfo info = stubs.blockingStub()
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(namespace)
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                            .build())
                    .getWorkflowExecutionInfo();
            out.println("workflow_id: " + info.getExecution().getWorkflowId());
            out.println("run_id: " + info.getExecution().getRunId());
            out.println("type: " + info.getType().getName());
            out.println("task_queue: " + info.getTaskQueue());
            out.println("status: " + info.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", ""));
            WorkflowClient client = WorkflowClient.newInstance(
                    stubs,
                    WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
            WorkflowStub stub = client.newUntypedWorkflowStub(
                    workflowId,
                    Optional.of(info.getExecution().getRunId()),
                    Optional.of(info.getType().getName()));
            try {
                out.println("progress: " + stub.query("progress", Object.class));
            } catch (RuntimeException e) {
                out.println("progress: unavailable (" + e.getMessage() + ")");
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("cannot describe " + workflowId + " at " + address + ": " + e.getMessage());
            return 1;
        } finally {
            stubs.shutdownNow();
        }
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
