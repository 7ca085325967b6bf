package io.groupai.fleet.workflows.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
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
import io.groupai.fleet.workflows.agent.StartedAccount;
import io.groupai.fleet.workflows.allocation.OneByOne;
import io.groupai.fleet.workflows.allocation.SessionTransferActivities;
import io.groupai.fleet.workflows.allocation.UploadedAccount;
import io.groupai.fleet.workflows.allocation.UploadedSession;
import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session backup and restore on Temporal's time-skipping test server, with an in-memory session store and
 * registry, and fake node agents on their own queues (or none: a dead node).
 */
class SessionBackupWorkflowTest {

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final FakeStore store = new FakeStore();
    private final Map<String, FakeNode> nodes = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(TaskQueues.CONTROL_PLANE);
        worker.registerWorkflowImplementationTypes(
                SessionBackupWorkflowImpl.class, BackupAccountWorkflowImpl.class, RestoreSessionWorkflowImpl.class);
        worker.registerActivitiesImplementations(store, new FakeTransfer());
        client = env.getWorkflowClient();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private FakeNode node(String id, boolean alive) {
        FakeNode node = new FakeNode(id);
        nodes.put(id, node);
        if (alive) {
            env.newWorker(TaskQueues.node(id)).registerActivitiesImplementations(node);
        }
        return node;
    }

    private void account(String accountId, FakeNode node) {
        store.placement.put(accountId, node.id);
        node.running.add(accountId);
    }

    private int runs;

    private SessionBackupResult run(SessionBackupRequest request) {
        if (runs++ == 0) {
            env.start();
        }
        SessionBackupWorkflow stub = client.newWorkflowStub(
                SessionBackupWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowId(WorkflowIds.sessionBackupNow())
                        .build());
        SessionBackupResult result = stub.backup(request);
        SessionBackupProgress progress = stub.progress();
        assertThat(progress.total()).isEqualTo(result.total());
        assertThat(progress.succeeded()).isEqualTo(result.succeeded());
        assertThat(progress.running()).isEmpty();
        assertThat(progress.done()).hasSize(result.total());
        return result;
    }

    @Test
    void backsUpEveryRunningAccountKeepsTheLastNAndStartsEachAgain() {
        FakeNode a = node("a", true);
        FakeNode b = node("b", true);
        account("acc1", a);
        account("acc2", a);
        account("acc3", b);

        for (int i = 0; i < 4; i++) {
            SessionBackupResult result = run(new SessionBackupRequest(3, 2, null));
            assertThat(result.total()).isEqualTo(3);
            assertThat(result.succeeded()).as(result.toString()).isEqualTo(3);
            assertThat(result.failed()).isZero();
        }

        for (String account : List.of("acc1", "acc2", "acc3")) {
            assertThat(store.backups.get(account)).as("keep last 3 of 4 runs").hasSize(3);
        }
        assertThat(store.backups.get("acc1"))
                .as("the oldest went")
                .doesNotContain("acc1-1")
                .containsExactly("acc1-2", "acc1-3", "acc1-4");
        assertThat(a.running).containsExactlyInAnyOrder("acc1", "acc2");
        assertThat(b.running).containsExactly("acc3");
        assertThat(events).containsSubsequence("stop acc3@b", "export acc3@b", "fetch acc3@b sha-acc3", "start acc3@b");
        assertThat(store.maxInFlight.get()).as("bounded parallelism").isLessThanOrEqualTo(2);
    }

    @Test
    void oneAccountFailingNeverFailsTheOthersAndTheRunReportsPerAccount() {
        FakeNode a = node("a", true);
        FakeNode dead = node("dead", false);
        account("acc1", a);
        account("acc2", dead);
        account("acc3", a);
        store.mismatch.add("acc3");

        SessionBackupResult result = run(new SessionBackupRequest());

        assertThat(result.total()).isEqualTo(3);
        assertThat(result.succeeded()).isEqualTo(1);
        assertThat(result.failed()).isEqualTo(2);
        Map<String, AccountBackupOutcome> by = new TreeMap<>();
        result.accounts().forEach(o -> by.put(o.accountId(), o));
        assertThat(by.get("acc1").success()).isTrue();
        assertThat(by.get("acc1").backup().backupId()).isEqualTo("acc1-1");
        assertThat(by.get("acc2").message())
                .contains("account acc2 on server dead, step stop on node", "no worker picked the task up");
        assertThat(by.get("acc3").success()).isFalse();
        assertThat(by.get("acc3").message())
                .contains("account acc3 on server a, step fetch backup", "SHA-256", "differs");
        assertThat(by.get("acc3").steps())
                .extracting(StepProgress::step)
                .as("a failed fetch still starts the account again")
                .contains("start on node");
        assertThat(a.running).as("nothing left stopped").contains("acc1", "acc3");
        assertThat(store.backups.getOrDefault("acc3", List.of()))
                .as("nothing stored")
                .isEmpty();
        assertThat(events)
                .filteredOn("fetch acc3@a sha-acc3"::equals)
                .as("a mismatch is not retried")
                .hasSize(1);
    }

    @Test
    void restorePutsTheBackupBackStopUploadStart() {
        FakeNode a = node("a", true);
        account("acc1", a);
        store.backups.put("acc1", new ArrayList<>(List.of("b1", "b2")));
        env.start();

        RestoreResult result = client.newWorkflowStub(
                        RestoreSessionWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId(WorkflowIds.account("acc1"))
                                .build())
                .restore(new RestoreRequest("acc1", "b1"));

        assertThat(result.serverId()).isEqualTo("a");
        assertThat(result.backup().backupId()).isEqualTo("b1");
        assertThat(events).containsSubsequence("restore acc1 b1", "stop acc1@a", "upload acc1@a", "start acc1@a");
        assertThat(result.steps()).allMatch(s -> s.state() == StepProgress.State.DONE);
        assertThat(a.running).contains("acc1");
    }

    @Test
    void restoreOfAnUnknownBackupFailsNamingAccountAndStepAndTouchesNothing() {
        FakeNode a = node("a", true);
        account("acc1", a);
        env.start();

        Throwable thrown = catchThrowable(() -> client.newWorkflowStub(
                        RestoreSessionWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId(WorkflowIds.account("acc1"))
                                .build())
                .restore(new RestoreRequest("acc1", "nope")));

        assertThat(thrown).isInstanceOf(WorkflowFailedException.class);
        ApplicationFailure failure = (ApplicationFailure) thrown.getCause();
        assertThat(failure.getType()).isEqualTo(FailureTypes.RESTORE_FAILED);
        assertThat(failure.getOriginalMessage())
                .contains("account acc1 on server a, step restore in store", "no backup nope");
        assertThat(events).noneMatch(e -> e.startsWith("stop") || e.startsWith("upload"));
        assertThat(a.running).contains("acc1");
    }

    // --- fakes ---------------------------------------------------------------------------------

    /** The registry and the session store, in memory; backup ids are {@code <account>-<n>}. */
    final class FakeStore implements SessionBackupActivities {
        final Map<String, String> placement = new ConcurrentHashMap<>();
        final Map<String, List<String>> backups = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
        final Set<String> mismatch = ConcurrentHashMap.newKeySet();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();

        @Override
        public List<BackupCandidate> candidates(List<String> accountIds) {
            return new TreeMap<>(placement)
                    .entrySet().stream()
                            .filter(e -> accountIds == null || accountIds.isEmpty() || accountIds.contains(e.getKey()))
                            .map(e -> new BackupCandidate(e.getKey(), e.getValue(), "script-1"))
                            .toList();
        }

        @Override
        public BackupInfo fetchBackup(String accountId, String serverId, String remotePath, String expectedSha256) {
            events.add("fetch " + accountId + "@" + serverId + " " + expectedSha256);
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            if (mismatch.contains(accountId)) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "account " + accountId + " on server " + serverId + ", step fetch backup: SHA-256 of the"
                                + " downloaded session differs from the export's: expected " + expectedSha256
                                + ", got 00ff",
                        FailureTypes.SESSION_CHECKSUM_MISMATCH);
            }
            String id = accountId + "-"
                    + counters.computeIfAbsent(accountId, k -> new AtomicInteger())
                            .incrementAndGet();
            backups.computeIfAbsent(accountId, k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(id);
            return new BackupInfo(accountId, id, "2026-12-02T03:00:00Z", expectedSha256, 10, "backup from " + serverId);
        }

        @Override
        public List<String> prune(String accountId, int keep) {
            List<String> all = backups.getOrDefault(accountId, new ArrayList<>());
            List<String> gone = new ArrayList<>();
            while (all.size() > keep) {
                gone.add(all.remove(0));
            }
            return gone;
        }

        @Override
        public BackupInfo restore(String accountId, String backupId) {
            if (!backups.getOrDefault(accountId, List.of()).contains(backupId)) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "account " + accountId + " has no backup " + backupId, FailureTypes.BACKUP_NOT_FOUND);
            }
            events.add("restore " + accountId + " " + backupId);
            return new BackupInfo(accountId, backupId, "2026-12-02T03:00:00Z", "ab", 10, "backup");
        }

        @Override
        public BackupInfo useNewest(String accountId) {
            throw new UnsupportedOperationException("not used here");
        }

        @Override
        public BackupCandidate placement(String accountId) {
            String server = placement.get(accountId);
            if (server == null) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "account " + accountId + " is on no server", FailureTypes.ACCOUNT_UNAVAILABLE);
            }
            return new BackupCandidate(accountId, server, "script-1");
        }
    }

    final class FakeTransfer implements SessionTransferActivities {
        @Override
        public UploadedSession upload(String accountId, String serverId) {
            events.add("upload " + accountId + "@" + serverId);
            return new UploadedSession(accountId, serverId, "/srv/" + accountId + "/session.zip", "ab", 10);
        }

        @Override
        public List<UploadedAccount> uploadBatch(String serverId, List<String> accountIds) {
            return OneByOne.upload(this, serverId, accountIds);
        }

        @Override
        public void remove(String accountId, String serverId) {}

        @Override
        public UploadedSession fetchExported(
                String accountId, String serverId, String remotePath, String expectedSha256) {
            throw new UnsupportedOperationException("not used here");
        }
    }

    final class FakeNode implements NodeAgentActivities {
        final String id;
        final Set<String> running = ConcurrentHashMap.newKeySet();

        FakeNode(String id) {
            this.id = id;
        }

        @Override
        public AccountRuntimeState startAccount(StartAccountRequest request) {
            events.add("start " + request.accountId() + "@" + id);
            running.add(request.accountId());
            return new AccountRuntimeState(request.accountId(), "online", request.scriptId(), null);
        }

        @Override
        public List<StartedAccount> startAccounts(List<StartAccountRequest> requests) {
            return OneByOne.start(this, requests);
        }

        @Override
        public AccountRuntimeState stopAccount(String accountId) {
            events.add("stop " + accountId + "@" + id);
            running.remove(accountId);
            return new AccountRuntimeState(accountId, "stopped", null, null);
        }

        @Override
        public List<AccountRuntimeState> listAccounts() {
            return running.stream()
                    .sorted()
                    .map(a -> new AccountRuntimeState(a, "online", null, null))
                    .toList();
        }

        @Override
        public ExportedSession exportSession(String accountId) {
            events.add("export " + accountId + "@" + id);
            if (running.contains(accountId)) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "account " + accountId + " is running", FailureTypes.ACCOUNT_RUNNING);
            }
            return new ExportedSession(
                    accountId, "/srv/" + id + "/exports/" + accountId + ".zip", 10, "sha-" + accountId);
        }

        @Override
        public NodePing ping() {
            return new NodePing(id, "test", "simulated", running.size(), 1);
        }

        @Override
        public SessionInfo installSession(String accountId) {
            return new SessionInfo(accountId, "tdlib", 2, 1L, 10, "ab");
        }

        @Override
        public void removeSession(String accountId) {}

        @Override
        public ScriptInstallResult installScript(InstallScriptRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeScript(String scriptId) {}

        @Override
        public void discardMigratedSession(String accountId, String exportPath) {
            throw new UnsupportedOperationException("not used by backups");
        }

        @Override
        public SentMessage sendMessage(SendMessageRequest request) {
            throw new UnsupportedOperationException();
        }
    }
}
