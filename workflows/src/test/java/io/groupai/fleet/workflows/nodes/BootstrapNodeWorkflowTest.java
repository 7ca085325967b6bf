package io.groupai.fleet.workflows.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.ExportedSession;
import io.groupai.fleet.workflows.agent.InstallScriptRequest;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.NodePing;
import io.groupai.fleet.workflows.agent.ScriptInstallResult;
import io.groupai.fleet.workflows.agent.SendMessageRequest;
import io.groupai.fleet.workflows.agent.SentMessage;
import io.groupai.fleet.workflows.agent.SessionInfo;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BootstrapNodeWorkflowTest {

    private TestWorkflowEnvironment env;
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        Worker control = env.newWorker(TaskQueues.CONTROL_PLANE);
        control.registerWorkflowImplementationTypes(BootstrapNodeWorkflowImpl.class);
        control.registerActivitiesImplementations(new Installer(), new ServerOperationWorkflowTest.RecordingNode());
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private BootstrapResult bootstrap() {
        return env.getWorkflowClient().newWorkflowStub(BootstrapNodeWorkflow.class,
                        WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL_PLANE).setWorkflowId("bootstrap-n1").build())
                .run(new BootstrapRequest("n1"));
    }

    @Test
    void installsConfiguresStartsAndWaitsForTheAgentsFirstPoll() {
        env.newWorker(TaskQueues.node("n1")).registerActivitiesImplementations(new Agent());
        env.start();

        BootstrapResult result = bootstrap();

        assertThat(result.success()).as(result.message()).isTrue();
        assertThat(result.agent().nodeId()).isEqualTo("n1");
        assertThat(calls).containsExactly("distribution", "config", "ping");
        assertThat(result.steps()).extracting(StepProgress::step).containsExactly("upload worker-node distribution",
                "write node config", "start worker process", "wait for first poll of node-n1", "probe");
    }

    @Test
    void anAgentThatNeverPollsFailsTheBootstrapAtThatStepInsteadOfHanging() {
        env.start(); // nobody polls node-n1
        BootstrapNodeWorkflow workflow = env.getWorkflowClient().newWorkflowStub(BootstrapNodeWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL_PLANE).setWorkflowId("bootstrap-n1").build());
        // The test server does not skip time past an unpolled task's deadline, so keep it short.
        BootstrapResult result = workflow.run(new BootstrapRequest("n1", 2));

        assertThat(result.success()).isFalse();
        StepProgress last = result.steps().get(result.steps().size() - 1);
        assertThat(last.step()).isEqualTo("wait for first poll of node-n1");
        assertThat(last.state()).isEqualTo(StepProgress.State.FAILED);
        assertThat(result.message()).contains("bootstrap of n1 failed", "timed out (schedule_to_start)");
    }

    class Installer implements NodeInstallActivities {
        @Override
        public List<InstalledFile> installDistribution(String nodeId) {
            calls.add("distribution");
            return List.of(new InstalledFile("/srv/n1/lib/worker-node.jar", 10, "ab"), new InstalledFile("/srv/n1/bin/worker-node", 1, "cd"));
        }

        @Override
        public InstalledFile writeNodeConfig(String nodeId) {
            calls.add("config");
            return new InstalledFile("/srv/n1/conf/worker-node.properties", 1, "ef");
        }
    }

    /** Only ping is used by bootstrap; the rest belong to other workflows' tests. */
    class Agent implements NodeAgentActivities {
        @Override
        public NodePing ping() {
            calls.add("ping");
            return new NodePing("n1", "test", "simulated", 0, 42);
        }

        @Override
        public AccountRuntimeState startAccount(StartAccountRequest request) {
            throw new UnsupportedOperationException("not used by bootstrap");
        }

        @Override
        public AccountRuntimeState stopAccount(String accountId) {
            throw new UnsupportedOperationException("not used by bootstrap");
        }

        @Override
        public List<AccountRuntimeState> listAccounts() {
            throw new UnsupportedOperationException("not used by bootstrap");
        }

        @Override
        public SessionInfo installSession(String accountId) {
            throw new UnsupportedOperationException("not used by bootstrap");
        }

        @Override
        public void removeSession(String accountId) {
            throw new UnsupportedOperationException("not used by bootstrap");
        }

        @Override
        public ExportedSession exportSession(String accountId) {
            throw new UnsupportedOperationException("not used by bootstrap");
        }

        @Override
        public ScriptInstallResult installScript(InstallScriptRequest request) {
            throw new UnsupportedOperationException("not used by bootstrap");
        }

        @Override
        public void removeScript(String scriptId) {
            throw new UnsupportedOperationException("not used by bootstrap");
        }

        @Override
        public SentMessage sendMessage(SendMessageRequest request) {
            throw new UnsupportedOperationException("not used by bootstrap");
        }
    }
}
