package io.groupai.fleet.node.telegram.tdlib;

import static io.groupai.fleet.node.telegram.tdlib.TdlibFakeTd.authState;
import static io.groupai.fleet.node.telegram.tdlib.TdlibFakeTd.error;
import static io.groupai.fleet.node.telegram.tdlib.TdlibFakeTd.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.NodeAgentActivitiesImpl;
import io.groupai.fleet.node.accounts.AccountRunner;
import io.groupai.fleet.node.scripts.ScriptStore;
import io.groupai.fleet.node.sessions.SessionStore;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.SendMessageRequest;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FLOOD_WAIT on a send, through Temporal (time skipping): the node's sendMessage activity fails at once
 * with Telegram's delay as {@code nextRetryDelay}, Temporal runs the second attempt after that delay,
 * and the message reaches Telegram exactly once.
 */
class TdlibFloodWaitWorkflowTest {

    /** Longer than the activity's start-to-close: waiting it out inside the activity could not work. */
    static final Duration FLOOD_WAIT = Duration.ofSeconds(150);

    @WorkflowInterface
    public interface SendWorkflow {
        /** @return the message id and the workflow time the send took, "id@millis" */
        @WorkflowMethod
        String send(String nodeId, String accountId);
    }

    public static final class SendWorkflowImpl implements SendWorkflow {
        @Override
        public String send(String nodeId, String accountId) {
            // As the allocation workflows schedule node activities: 2 min start-to-close, bounded retries.
            NodeAgentActivities node = Workflow.newActivityStub(
                    NodeAgentActivities.class,
                    ActivityOptions.newBuilder()
                            .setTaskQueue(TaskQueues.node(nodeId))
                            .setStartToCloseTimeout(Duration.ofMinutes(2))
                            .setRetryOptions(RetryOptions.newBuilder()
                                    .setInitialInterval(Duration.ofSeconds(1))
                                    .setMaximumInterval(Duration.ofSeconds(10))
                                    .setMaximumAttempts(3)
                                    .build())
                            .build());
            long started = Workflow.currentTimeMillis();
            long id = node.sendMessage(new SendMessageRequest(accountId, -100123L, "hello"))
                    .messageId();
            return id + "@" + (Workflow.currentTimeMillis() - started);
        }
    }

    @TempDir
    Path deployDir;

    private final TdlibFakeTd td = new TdlibFakeTd();
    private TestWorkflowEnvironment env;
    private TdlibTelegramRuntime runtime;

    @AfterEach
    void close() {
        if (env != null) {
            env.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void floodWaitOnASendIsRetriedByTemporalAfterTheDelayAndTheMessageIsSentOnce() throws Exception {
        AtomicInteger sends = new AtomicInteger();
        td.handler = (clientId, r) -> switch (r.path("@type").asText()) {
            case "getOption" ->
                List.of(
                        TdlibFakeTd.answer(
                                r,
                                TdlibClientManager.request("optionValueString").put("value", "1.8.67")),
                        authState(TdlibAccount.WAIT_TDLIB_PARAMETERS));
            case "setTdlibParameters" -> List.of(ok(r), authState(TdlibAccount.READY));
            case "close" -> List.of(ok(r), authState(TdlibAccount.CLOSING), authState(TdlibAccount.CLOSED));
            case "sendMessage" ->
                sends.incrementAndGet() == 1
                        ? List.of(error(r, 429, "Too Many Requests: retry after " + FLOOD_WAIT.toSeconds()))
                        : List.of(TdlibFakeTd.answer(
                                r, TdlibClientManager.request("message").put("id", 4096)));
            default -> List.of(ok(r));
        };
        // The node's real activity stack on TDLib (a scripted libtdjson); its own FLOOD_WAIT bound is the default 300
        // s.
        runtime = new TdlibTelegramRuntime(
                new TdlibClientManager(td, TdlibTestSupport.CONFIG.withCloseTimeout(Duration.ofSeconds(5))),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5));
        ControlPlaneHttp http = new ControlPlaneHttp(URI.create("http://127.0.0.1:9"), "unused");
        SessionStore sessions = new SessionStore(deployDir, 1 << 20, Clock.systemUTC());
        AccountRunner accounts = new AccountRunner(
                runtime, sessions, new ScriptStore(deployDir.resolve("scripts"), http), Clock.systemUTC());
        accounts.setDatabaseKeys(account -> "dGVzdC1kYXRhYmFzZS1rZXktMDEyMzQ1Njc4OWFiY2Q=");
        accounts.start("acc", null);

        env = TestWorkflowEnvironment.newInstance();
        Worker nodeWorker = env.newWorker(TaskQueues.node("n1"));
        nodeWorker.registerActivitiesImplementations(new NodeAgentActivitiesImpl(
                "n1",
                "test",
                runtime,
                accounts,
                sessions,
                new ScriptStore(deployDir.resolve("scripts"), http),
                http,
                1 << 20));
        env.newWorker("test").registerWorkflowImplementationTypes(SendWorkflowImpl.class);
        env.start();

        SendWorkflow workflow = env.getWorkflowClient()
                .newWorkflowStub(
                        SendWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue("test")
                                .setWorkflowId("send-flood")
                                .build());
        String[] result = workflow.send("n1", "acc").split("@");

        assertThat(result[0]).isEqualTo("4096");
        assertThat(Duration.ofMillis(Long.parseLong(result[1]))).isGreaterThanOrEqualTo(FLOOD_WAIT);
        assertThat(sends.get()).as("sendMessage requests reaching Telegram").isEqualTo(2);
        List<HistoryEvent> started = env.getWorkflowClient().fetchHistory("send-flood").getEvents().stream()
                .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
                .toList();
        // One started event, written when the attempt that completed began: the second, after the delay.
        assertThat(started)
                .singleElement()
                .satisfies(e -> assertThat(
                                e.getActivityTaskStartedEventAttributes().getAttempt())
                        .isEqualTo(2));
    }
}
