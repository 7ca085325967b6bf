package io.groupai.fleet.app.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.TestServers;
import io.groupai.fleet.registry.NodeTokenStore;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.common.v1.WorkflowType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.OperatorServiceGrpc;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueRequest;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueResponse;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueRequest;
import io.temporal.api.workflowservice.v1.QueryWorkflowRequest;
import io.temporal.api.workflowservice.v1.RecordActivityTaskHeartbeatRequest;
import io.temporal.api.workflowservice.v1.RequestCancelWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.RespondActivityTaskCompletedByIdRequest;
import io.temporal.api.workflowservice.v1.RespondActivityTaskCompletedRequest;
import io.temporal.api.workflowservice.v1.SignalWithStartWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.SignalWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.TerminateWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc.WorkflowServiceBlockingStub;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The real gate in front of the app's embedded Temporal server: a node's worker runs its own
 * activities through it, and every call a node must not make is refused with PERMISSION_DENIED
 * (or UNAUTHENTICATED without its token) and changes nothing.
 */
@FleetIntegrationTest
class TemporalGateTest {

    static final String TOKEN_A = "gate-test-token-node-a-0123456789";
    static final String TOKEN_B = "gate-test-token-node-b-0123456789";

    @ActivityInterface
    public interface EchoActivities {
        String echo(String text);
    }

    @WorkflowInterface
    public interface EchoWorkflow {
        @WorkflowMethod
        String run(String activityQueue, String text);
    }

    public static class EchoWorkflowImpl implements EchoWorkflow {
        @Override
        public String run(String activityQueue, String text) {
            return Workflow.newActivityStub(
                            EchoActivities.class,
                            ActivityOptions.newBuilder()
                                    .setTaskQueue(activityQueue)
                                    .setStartToCloseTimeout(Duration.ofSeconds(30))
                                    .setHeartbeatTimeout(Duration.ofSeconds(10))
                                    .build())
                    .echo(text);
        }
    }

    @Autowired
    TemporalGate gate;

    @Autowired
    WorkflowClient client;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ServerRepository servers;

    @Autowired
    NodeTokenStore tokens;

    @Value("${spring.temporal.namespace:default}")
    String namespace;

    private final List<AutoCloseable> closers = new ArrayList<>();
    private String workflowQueue;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        TestServers.insertProbed(jdbc, servers, "node-a", 5);
        TestServers.insertProbed(jdbc, servers, "node-b", 5);
        tokens.save("node-a", TOKEN_A);
        tokens.save("node-b", TOKEN_B);
        // The workflows of these tests run on the control plane's side, with the app's own client.
        workflowQueue = "gate-test-" + UUID.randomUUID();
        WorkerFactory factory = WorkerFactory.newInstance(client);
        factory.newWorker(workflowQueue).registerWorkflowImplementationTypes(EchoWorkflowImpl.class);
        factory.start();
        closers.add(() -> factory.shutdownNow());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closers.reversed()) {
            c.close();
        }
    }

    // --- what a node may do ---

    @Test
    void aNodeWorkerRunsAndHeartbeatsItsOwnActivitiesThroughTheGate() {
        WorkflowServiceStubs stubs = nodeStubs("node-a", TOKEN_A);
        WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(
                stubs,
                WorkflowClientOptions.newBuilder().setNamespace(namespace).build()));
        Worker worker = factory.newWorker(TaskQueues.node("node-a"));
        worker.registerActivitiesImplementations((EchoActivities) text -> {
            Activity.getExecutionContext().heartbeat("halfway");
            return text + " from node-a";
        });
        factory.start();
        closers.add(() -> factory.shutdownNow());

        String result = client.newWorkflowStub(
                        EchoWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(workflowQueue)
                                .setWorkflowExecutionTimeout(Duration.ofSeconds(30))
                                .build())
                .run(TaskQueues.node("node-a"), "hello");

        assertThat(result).isEqualTo("hello from node-a");
    }

    @Test
    void systemInfoNamespaceAndHealthAnswer() {
        WorkflowServiceBlockingStub a = node("node-a", TOKEN_A);
        assertThat(a.getSystemInfo(GetSystemInfoRequest.getDefaultInstance())).isNotNull();
        assertThat(a.describeNamespace(DescribeNamespaceRequest.newBuilder()
                                .setNamespace(namespace)
                                .build())
                        .getNamespaceInfo()
                        .getName())
                .isEqualTo(namespace);
        assertThat(HealthGrpc.newBlockingStub(channel())
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers("node-a", TOKEN_A)))
                        .check(HealthCheckRequest.newBuilder()
                                .setService("temporal.api.workflowservice.v1.WorkflowService")
                                .build())
                        .getStatus())
                .isNotNull();
    }

    @Test
    void aTaskHandedToNodeACanBeAnsweredByNodeAOnlyNotByNodeB() throws Exception {
        WorkflowExecution run = startWaitingOn(TaskQueues.node("node-a"));
        PollActivityTaskQueueResponse task =
                node("node-a", TOKEN_A).withDeadlineAfter(20, TimeUnit.SECONDS).pollActivityTaskQueue(poll("node-a"));
        assertThat(task.getTaskToken()).isNotEmpty();

        denied(() -> node("node-b", TOKEN_B).respondActivityTaskCompleted(completed(task.getTaskToken())));
        denied(() -> node("node-b", TOKEN_B)
                .recordActivityTaskHeartbeat(RecordActivityTaskHeartbeatRequest.newBuilder()
                        .setNamespace(namespace)
                        .setTaskToken(task.getTaskToken())
                        .build()));
        assertThat(status(run)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);

        node("node-a", TOKEN_A)
                .recordActivityTaskHeartbeat(RecordActivityTaskHeartbeatRequest.newBuilder()
                        .setNamespace(namespace)
                        .setTaskToken(task.getTaskToken())
                        .build());
        node("node-a", TOKEN_A).respondActivityTaskCompleted(completed(task.getTaskToken()));
        assertThat(WorkflowStub.fromTyped(client.newWorkflowStub(EchoWorkflow.class, run.getWorkflowId()))
                        .getResult(10, TimeUnit.SECONDS, String.class))
                .isNull();
    }

    // --- authentication ---

    @Test
    void noTokenIsUnauthenticated() {
        StatusRuntimeException e = catchGrpc(() -> WorkflowServiceGrpc.newBlockingStub(channel())
                .getSystemInfo(GetSystemInfoRequest.getDefaultInstance()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aWrongTokenIsUnauthenticated() {
        StatusRuntimeException e = catchGrpc(() -> node("node-a", "not-the-token-of-node-a-at-all")
                .getSystemInfo(GetSystemInfoRequest.getDefaultInstance()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void nodeATokenIsRefusedForNodeB() {
        StatusRuntimeException e = catchGrpc(() -> node("node-b", TOKEN_A).pollActivityTaskQueue(poll("node-b")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    // --- refusals: each changes nothing ---

    @Test
    void startWorkflowIsRefused() {
        String id = "gate-test-start-" + UUID.randomUUID();
        denied(() -> node("node-a", TOKEN_A)
                .startWorkflowExecution(StartWorkflowExecutionRequest.newBuilder()
                        .setNamespace(namespace)
                        .setWorkflowId(id)
                        .setRequestId(UUID.randomUUID().toString())
                        .setWorkflowType(WorkflowType.newBuilder().setName(WorkflowTypes.MIGRATE_ACCOUNT))
                        .setTaskQueue(TaskQueue.newBuilder().setName(TaskQueues.CONTROL_PLANE))
                        .build()));
        assertThatThrownBy(() -> client.getWorkflowServiceStubs()
                        .blockingStub()
                        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                                .setNamespace(namespace)
                                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                                .build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("NOT_FOUND");
    }

    @Test
    void signalWithStartIsRefused() {
        denied(() -> node("node-a", TOKEN_A)
                .signalWithStartWorkflowExecution(SignalWithStartWorkflowExecutionRequest.newBuilder()
                        .setNamespace(namespace)
                        .setWorkflowId("gate-test-sws-" + UUID.randomUUID())
                        .setWorkflowType(WorkflowType.newBuilder().setName(WorkflowTypes.MIGRATE_ACCOUNT))
                        .setTaskQueue(TaskQueue.newBuilder().setName(TaskQueues.CONTROL_PLANE))
                        .setSignalName("go")
                        .build()));
    }

    @Test
    void signalIsRefused() {
        WorkflowExecution run = startWaitingOn("node-nobody");
        denied(() -> node("node-a", TOKEN_A)
                .signalWorkflowExecution(SignalWorkflowExecutionRequest.newBuilder()
                        .setNamespace(namespace)
                        .setWorkflowExecution(run)
                        .setSignalName("go")
                        .build()));
        assertThat(history(run)).doesNotContain("WorkflowExecutionSignaled");
    }

    @Test
    void queryIsRefused() {
        WorkflowExecution run = startWaitingOn("node-nobody");
        denied(() -> node("node-a", TOKEN_A)
                .queryWorkflow(QueryWorkflowRequest.newBuilder()
                        .setNamespace(namespace)
                        .setExecution(run)
                        .setQuery(io.temporal.api.query.v1.WorkflowQuery.newBuilder()
                                .setQueryType("__stack_trace"))
                        .build()));
    }

    @Test
    void terminateIsRefused() {
        WorkflowExecution run = startWaitingOn("node-nobody");
        denied(() -> node("node-a", TOKEN_A)
                .terminateWorkflowExecution(TerminateWorkflowExecutionRequest.newBuilder()
                        .setNamespace(namespace)
                        .setWorkflowExecution(run)
                        .setReason("compromised node")
                        .build()));
        assertThat(status(run)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }

    @Test
    void cancelIsRefused() {
        WorkflowExecution run = startWaitingOn("node-nobody");
        denied(() -> node("node-a", TOKEN_A)
                .requestCancelWorkflowExecution(RequestCancelWorkflowExecutionRequest.newBuilder()
                        .setNamespace(namespace)
                        .setWorkflowExecution(run)
                        .build()));
        assertThat(history(run)).doesNotContain("CancelRequested");
    }

    @Test
    void readingOtherWorkflowsIsRefused() {
        WorkflowExecution run = startWaitingOn("node-nobody");
        denied(() -> node("node-a", TOKEN_A)
                .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(namespace)
                        .setExecution(run)
                        .build()));
        denied(() -> node("node-a", TOKEN_A)
                .getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
                        .setNamespace(namespace)
                        .setExecution(run)
                        .build()));
        denied(() -> node("node-a", TOKEN_A)
                .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(namespace)
                        .build()));
    }

    @Test
    void pollingAnotherNodesQueueIsRefused() {
        WorkflowExecution run = startWaitingOn(TaskQueues.node("node-b"));
        denied(() -> node("node-a", TOKEN_A).pollActivityTaskQueue(poll("node-b")));
        // The task is still there for node-b.
        assertThat(node("node-b", TOKEN_B)
                        .withDeadlineAfter(20, TimeUnit.SECONDS)
                        .pollActivityTaskQueue(poll("node-b"))
                        .getWorkflowExecution()
                        .getWorkflowId())
                .isEqualTo(run.getWorkflowId());
    }

    @Test
    void pollingTheControlPlaneQueueIsRefused() {
        denied(() -> node("node-a", TOKEN_A)
                .pollActivityTaskQueue(PollActivityTaskQueueRequest.newBuilder()
                        .setNamespace(namespace)
                        .setTaskQueue(TaskQueue.newBuilder().setName(TaskQueues.CONTROL_PLANE))
                        .build()));
    }

    @Test
    void pollingWorkflowTasksIsRefusedEvenOnItsOwnQueue() {
        denied(() -> node("node-a", TOKEN_A)
                .pollWorkflowTaskQueue(PollWorkflowTaskQueueRequest.newBuilder()
                        .setNamespace(namespace)
                        .setTaskQueue(TaskQueue.newBuilder().setName(TaskQueues.node("node-a")))
                        .build()));
    }

    @Test
    void anotherNamespaceIsRefused() {
        denied(() -> node("node-a", TOKEN_A)
                .pollActivityTaskQueue(PollActivityTaskQueueRequest.newBuilder()
                        .setNamespace("other")
                        .setTaskQueue(TaskQueue.newBuilder().setName(TaskQueues.node("node-a")))
                        .build()));
    }

    @Test
    void answeringAForgedTaskTokenIsRefused() {
        denied(() ->
                node("node-a", TOKEN_A).respondActivityTaskCompleted(completed(ByteString.copyFromUtf8("forged"))));
    }

    @Test
    void answeringByWorkflowAndActivityIdIsRefused() {
        WorkflowExecution run = startWaitingOn(TaskQueues.node("node-b"));
        denied(() -> node("node-a", TOKEN_A)
                .respondActivityTaskCompletedById(RespondActivityTaskCompletedByIdRequest.newBuilder()
                        .setNamespace(namespace)
                        .setWorkflowId(run.getWorkflowId())
                        .setActivityId("1")
                        .setResult(Payloads.getDefaultInstance())
                        .build()));
        assertThat(status(run)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }

    @Test
    void otherServicesAreRefused() {
        denied(() -> OperatorServiceGrpc.newBlockingStub(channel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers("node-a", TOKEN_A)))
                .listSearchAttributes(ListSearchAttributesRequest.newBuilder()
                        .setNamespace(namespace)
                        .build()));
    }

    // --- helpers ---

    private WorkflowExecution startWaitingOn(String activityQueue) {
        EchoWorkflow wf = client.newWorkflowStub(
                EchoWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(workflowQueue)
                        .setWorkflowId("gate-test-" + UUID.randomUUID())
                        .setWorkflowExecutionTimeout(Duration.ofMinutes(2))
                        .build());
        WorkflowExecution run = WorkflowClient.start(wf::run, activityQueue, "x");
        closers.add(() -> {
            try {
                client.newUntypedWorkflowStub(run.getWorkflowId()).terminate("test over");
            } catch (RuntimeException alreadyDone) {
                // completed by the test
            }
        });
        return run;
    }

    private WorkflowExecutionStatus status(WorkflowExecution run) {
        return client.getWorkflowServiceStubs()
                .blockingStub()
                .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(namespace)
                        .setExecution(run)
                        .build())
                .getWorkflowExecutionInfo()
                .getStatus();
    }

    private String history(WorkflowExecution run) {
        return client.fetchHistory(run.getWorkflowId()).toProtoText(false);
    }

    private PollActivityTaskQueueRequest poll(String nodeId) {
        return PollActivityTaskQueueRequest.newBuilder()
                .setNamespace(namespace)
                .setTaskQueue(TaskQueue.newBuilder().setName(TaskQueues.node(nodeId)))
                .setIdentity("gate-test")
                .build();
    }

    private RespondActivityTaskCompletedRequest completed(ByteString token) {
        return RespondActivityTaskCompletedRequest.newBuilder()
                .setNamespace(namespace)
                .setTaskToken(token)
                .build();
    }

    private static void denied(Executable call) {
        StatusRuntimeException e = catchGrpc(call);
        assertThat(e.getStatus().getCode()).as("%s", e.getStatus()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    private static StatusRuntimeException catchGrpc(Executable call) {
        try {
            call.execute();
        } catch (StatusRuntimeException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a gRPC error, got " + t, t);
        }
        throw new AssertionError("the gate let the call through");
    }

    private ManagedChannel channel() {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", gate.port())
                .usePlaintext()
                .build();
        closers.add(channel::shutdownNow);
        return channel;
    }

    static Metadata headers(String nodeId, String token) {
        Metadata m = new Metadata();
        m.put(TemporalGate.NODE_ID, nodeId);
        m.put(TemporalGate.AUTHORIZATION, "Bearer " + token);
        return m;
    }

    private WorkflowServiceBlockingStub node(String nodeId, String token) {
        return WorkflowServiceGrpc.newBlockingStub(channel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(nodeId, token)));
    }

    private WorkflowServiceStubs nodeStubs(String nodeId, String token) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + gate.port())
                .addGrpcMetadataProvider(() -> headers(nodeId, token))
                .build());
        closers.add(stubs::shutdownNow);
        return stubs;
    }
}
