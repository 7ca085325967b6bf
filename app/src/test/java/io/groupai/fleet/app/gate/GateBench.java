package io.groupai.fleet.app.gate;

import io.groupai.fleet.app.temporal.EmbeddedTemporalServer;
import io.groupai.fleet.workflows.TaskQueues;
import io.grpc.Metadata;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;

/**
 * What the gate adds per call: DescribeNamespace round trips, and activities run one after another
 * (each a poll answered + a respond), by a worker connected directly and one connected through the
 * gate, against Temporal's Java test server on loopback. The token check here is an in-memory
 * compare; the app's is one indexed database read more. Usage: {@code GateBench [calls] [activities]}.
 */
public final class GateBench {

    @ActivityInterface
    public interface Step {
        int step(int i);
    }

    @WorkflowInterface
    public interface Steps {
        @WorkflowMethod
        int run(String queue, int n);
    }

    public static class StepsImpl implements Steps {
        @Override
        public int run(String queue, int n) {
            Step step = Workflow.newActivityStub(
                    Step.class,
                    ActivityOptions.newBuilder()
                            .setTaskQueue(queue)
                            .setStartToCloseTimeout(Duration.ofSeconds(10))
                            .build());
            int sum = 0;
            for (int i = 0; i < n; i++) {
                sum += step.step(i);
            }
            return sum;
        }
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int activities = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        try (EmbeddedTemporalServer temporal = new EmbeddedTemporalServer("127.0.0.1", freePort())) {
            WorkflowServiceStubs direct = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                    .setTarget(temporal.target())
                    .build());
            try (TemporalGate gate = new TemporalGate(
                    "127.0.0.1",
                    0,
                    null,
                    direct.getRawChannel(),
                    new GatePolicy("default", Duration.ofHours(1), Clock.systemUTC()),
                    (node, token) -> "bench-token-0123456789abcdef".equals(token))) {
                Metadata m = TemporalGateTest.headers("bench", "bench-token-0123456789abcdef");
                WorkflowServiceStubs gated =
                        WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                                .setTarget("127.0.0.1:" + gate.port())
                                .addGrpcMetadataProvider(() -> m)
                                .build());

                long[] d = describe(direct, calls);
                long[] g = describe(gated, calls);
                System.out.printf(
                        "DescribeNamespace x%d: direct p50 %.0f us p99 %.0f us; through the gate p50 %.0f us p99 %.0f us%n",
                        calls, pct(d, 50), pct(d, 99), pct(g, 50), pct(g, 99));

                WorkflowClient control = WorkflowClient.newInstance(direct);
                WorkerFactory workflows = WorkerFactory.newInstance(control);
                workflows.newWorker("bench-workflows").registerWorkflowImplementationTypes(StepsImpl.class);
                workflows.start();
                String queue = TaskQueues.node("bench");
                for (String mode :
                        new String[] {"direct", "gate", "direct", "gate", "direct", "gate", "gate", "direct"}) {
                    WorkerFactory node =
                            WorkerFactory.newInstance(WorkflowClient.newInstance(mode.equals("gate") ? gated : direct));
                    node.newWorker(queue).registerActivitiesImplementations((Step) i -> i);
                    node.start();
                    Steps steps = control.newWorkflowStub(
                            Steps.class,
                            WorkflowOptions.newBuilder()
                                    .setTaskQueue("bench-workflows")
                                    .build());
                    long start = System.nanoTime();
                    steps.run(queue, activities);
                    double perActivityMs = (System.nanoTime() - start) / 1e6 / activities;
                    System.out.printf(
                            "%d activities in sequence, node worker %s: %.2f ms per activity (poll + respond + workflow task)%n",
                            activities, mode, perActivityMs);
                    node.shutdown();
                    node.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
                }
                workflows.shutdownNow();
                gated.shutdownNow();
            }
            direct.shutdownNow();
        }
        System.exit(0);
    }

    private static long[] describe(WorkflowServiceStubs stubs, int calls) {
        DescribeNamespaceRequest request =
                DescribeNamespaceRequest.newBuilder().setNamespace("default").build();
        for (int i = 0; i < 200; i++) {
            stubs.blockingStub().describeNamespace(request);
        }
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            long t = System.nanoTime();
            stubs.blockingStub().describeNamespace(request);
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1000.0;
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
