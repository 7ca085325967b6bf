package io.groupai.fleet.workflows.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.NodePing;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.groupai.fleet.workflows.allocation.OneByOne;
import io.groupai.fleet.workflows.allocation.SessionTransferActivities;
import io.groupai.fleet.workflows.allocation.UploadedAccount;
import io.groupai.fleet.workflows.allocation.UploadedSession;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 1,000 servers of 1,000 accounts each (1,000,000 account rows, generated on demand by an in-test
 * "database" and in-test node agents, no I/O) through the paged {@link ReconcileWorkflow} in pages of 5
 * servers, with one drift of each kind planted across pages. That is the 200 pages (and 5 runs of the parent)
 * of 10,000 servers of 100 accounts in the default pages of 50, and the same rows per page (5,000), so the same
 * payloads; 10,000 node queues (a worker each) would take this test server minutes to poll. Every run of the parent (continued as new every
 * {@link ReconcileWorkflowImpl#PAGES_PER_RUN} pages) and every page is read back: their event counts and the
 * size of their largest event (an activity's or child's input or result, the run's input or result) stay
 * bounded whatever the fleet's size; every planted drift is found exactly once, in the page that owns it, with
 * its action; the totals count the whole fleet.
 */
class ReconcileHistoryBoundTest {

    private static final int SERVERS = 1_000;
    private static final int ACCOUNTS_PER_SERVER = 1_000;
    private static final int PAGE = 5;
    private static final int PAGES = SERVERS / PAGE;
    /** Well below Temporal's 51,200-event limit. */
    private static final int MAX_EVENTS_PER_RUN = 10_000;
    /** Temporal refuses a payload over 2 MB (blob size limit) and a message over 4 MB. */
    private static final int MAX_EVENT_BYTES = 2 * 1024 * 1024;

    private static final String WORKFLOW_ID = "reconcile-1m";
    /** A SHA-256 as long as a real one: the snapshot carries the stored session's for every directory. */
    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    private final Fleet fleet = new Fleet();

    @AfterEach
    void tearDown() {
        env.close();
    }

    static String server(int index) {
        return "s%05d".formatted(index);
    }

    /** The {@code k}-th server of page {@code page}. */
    static String server(int page, int k) {
        return server(page * PAGE + k);
    }

    static String account(int index) {
        return "a%07d".formatted(index);
    }

    /** The {@code k}-th account placed on the server. */
    static String account(String server, int k) {
        return account(Integer.parseInt(server.substring(1)) * ACCOUNTS_PER_SERVER + k);
    }

    @Test
    void aMillionAccountsInTwoHundredPagesInBoundedRunsEveryDriftFoundOnce() {
        // Planted drifts, spread over the pages.
        String movedFrom = server(37, 3);
        String movedTo = server(1, 4);
        String moved = account(movedFrom, 0); // placed on page 37's server, runs (by hand) on page 1's instead
        fleet.stopOn(movedFrom, moved);
        fleet.runOn(movedTo, moved);
        // Its heartbeats come from page 1's server: page 37 restarts it only once page 1 has stopped it there.
        fleet.override(
                new AccountRow(moved, movedFrom, null, "online", null, null, null, false, 0, null, null, movedTo));
        String doubleOwner = server(80, 1);
        String doubleElsewhere = server(10, 2);
        String doubled = account(doubleOwner, 5); // runs on its server (page 80) AND on page 10's
        fleet.runOn(doubleElsewhere, doubled);
        String missingOn = server(120, 4);
        String missing = account(missingOn, 9); // its server does not run it
        fleet.stopOn(missingOn, missing);
        String finishOn = server(150, 3);
        String finish = account(finishOn, 1); // orphaned allocation its server runs
        fleet.override(new AccountRow(
                finish,
                finishOn,
                null,
                "allocating",
                null,
                "allocate-lost",
                AccountRow.NOT_FOUND,
                false,
                0,
                null,
                null));
        String abortSource = server(5, 0);
        String abortTarget = server(160, 0);
        String abort = account(abortSource, 3); // orphaned migration before its switch, reserved on page 160
        fleet.override(new AccountRow(
                abort, abortSource, abortTarget, "migrating", null, "migrate-lost", "FAILED", false, 0, null, null));
        String noServer = "x-orphan"; // held by a lost operation, neither server nor reservation
        fleet.override(new AccountRow(
                noServer, null, null, "allocating", null, "allocate-gone", AccountRow.NOT_FOUND, false, 0, null, null));
        String strayOn = server(199, 4);
        String stray = account(server(3, 1), 2); // its session directory also on page 199's server
        fleet.extraDirs.put(strayOn, new SessionDir(stray, SHA, 1_500L, null));
        String ghostOn = server(190, 2);
        fleet.runOn(ghostOn, "ghost-1"); // unknown to the database
        String dupKept = account(server(42, 0), 0);
        String dup = "dup-unplaced"; // the same Telegram user as dupKept
        fleet.override(new AccountRow(dup, null, null, "unallocated", null, null, null, false, 0, null, null));
        fleet.duplicates.add(new DuplicateGroup(7_012_345_678L, List.of(dup, dupKept)));
        String dead = server(66, 1); // its agent does not answer: judged by its heartbeat

        Worker worker = env.newWorker(TaskQueues.CONTROL_PLANE);
        worker.registerWorkflowImplementationTypes(ReconcileWorkflowImpl.class, ReconcileChunkWorkflowImpl.class);
        worker.registerActivitiesImplementations(fleet, new Sessions());
        // One activity poller per node queue.
        WorkerOptions nodeOptions = WorkerOptions.newBuilder()
                .setMaxConcurrentActivityTaskPollers(1)
                .setMaxConcurrentWorkflowTaskPollers(1)
                .build();
        for (int s = 0; s < SERVERS; s++) {
            if (!server(s).equals(dead)) {
                env.newWorker(TaskQueues.node(server(s)), nodeOptions)
                        .registerActivitiesImplementations(new Node(server(s)));
            }
        }
        env.start();
        WorkflowClient client = env.getWorkflowClient();

        long began = System.nanoTime();
        ReconcileWorkflow workflow = client.newWorkflowStub(
                ReconcileWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowId(WORKFLOW_ID)
                        .build());
        String firstRun = WorkflowClient.start(
                        workflow::reconcile, ReconcileRequest.repair().withPageSize(PAGE))
                .getRunId();
        ReconcileReport report = WorkflowStub.fromTyped(workflow).getResult(ReconcileReport.class);
        long millis = (System.nanoTime() - began) / 1_000_000;
        ReconcileProgress progress =
                client.newWorkflowStub(ReconcileWorkflow.class, WORKFLOW_ID).progress();

        // Every planted drift exactly once, with its action, where it happens.
        // In page order; within a page, in the detector's rule order.
        List<String> expected = List.of(
                "ORPHANED_OPERATION " + noServer + " null RELEASE done", // page 0, which judges what has no server
                "DUPLICATE_ACCOUNT " + dup + " null MERGE reported", // page 0
                "RUNNING_UNASSIGNED " + moved + " " + movedTo + " STOP done", // page 1
                "ORPHANED_OPERATION " + abort + " " + abortSource + " ABORT_MIGRATION done", // page 5, not 160
                "DOUBLE_RUN " + doubled + " " + doubleElsewhere + " STOP done", // page 10
                "NOT_RUNNING " + moved + " " + movedFrom + " RESTART done", // page 37
                "NOT_RUNNING " + missing + " " + missingOn + " RESTART done", // page 120
                "ORPHANED_OPERATION " + finish + " " + finishOn + " FINISH done", // page 150
                "RUNNING_UNASSIGNED ghost-1 " + ghostOn + " STOP done", // page 190
                "ORPHAN_SESSION_DIR " + stray + " " + strayOn + " REMOVE_DIR done"); // page 199
        assertThat(report.drifts())
                .extracting(o -> o.drift().kind() + " " + o.drift().accountId() + " "
                        + o.drift().serverId() + " " + o.drift().action() + " " + o.outcome())
                .containsExactlyElementsOf(expected);
        assertThat(fleet.history)
                .as("every repair recorded once (a merge is only reported)")
                .hasSize(expected.size() - 1)
                .doesNotHaveDuplicates();
        RepairOutcome wrongNode = report.drifts().get(2);
        assertThat(wrongNode.drift().detail())
                .as("page 1 does not claim what page 37 does")
                .contains("assigned to " + movedFrom, "latest heartbeat does not list it", "its own page")
                .doesNotContain("(restarted there)");
        assertThat(report.drifts().get(4).drift().detail()).contains("per its latest heartbeat");
        assertThat(report.drifts().get(1).drift().relatedAccountId())
                .as("the placed row is kept")
                .isEqualTo(dupKept);
        // The repairs reached the nodes: the account moved by hand runs on its own server only.
        assertThat(fleet.running(movedTo)).doesNotContain(moved);
        assertThat(fleet.running(movedFrom)).contains(moved);
        assertThat(fleet.running(doubleElsewhere)).doesNotContain(doubled);
        assertThat(fleet.running(doubleOwner)).contains(doubled);
        assertThat(fleet.rowOf(noServer).operationId()).isNull();
        assertThat(fleet.rowOf(abort).reservedServerId()).isNull();

        // Totals over the whole fleet, in the report and in the parent's progress.
        ReconcileTotals totals = report.totals();
        assertThat(totals.pages()).isEqualTo(PAGES);
        assertThat(totals.servers()).isEqualTo(SERVERS);
        assertThat(totals.answered()).isEqualTo(SERVERS - 1);
        assertThat(totals.fromHeartbeat()).isEqualTo(1);
        assertThat(totals.unknown()).isZero();
        assertThat(totals.drifts()).isEqualTo(expected.size());
        assertThat(totals.repaired()).isEqualTo(expected.size() - 1);
        assertThat(totals.failed()).isZero();
        assertThat(totals.byKind().get("NOT_RUNNING")).containsExactly(Map.entry("done", 2));
        assertThat(totals.driftsLeftOut()).isZero();
        assertThat(progress)
                .extracting(
                        ReconcileProgress::phase,
                        ReconcileProgress::servers,
                        ReconcileProgress::totalServers,
                        ReconcileProgress::pages,
                        ReconcileProgress::drifts,
                        ReconcileProgress::repaired)
                .containsExactly("done", SERVERS, SERVERS, PAGES, expected.size(), expected.size() - 1);
        // Servers listed: those with a problem (the dead agent) or a drift, not the healthy thousands.
        Set<String> involved = new TreeSet<>(List.of(
                movedFrom,
                movedTo,
                doubleOwner,
                doubleElsewhere,
                missingOn,
                finishOn,
                abortSource,
                strayOn,
                ghostOn,
                dead,
                server(3, 1)));
        assertThat(report.nodes()).extracting(NodeView::serverId).allMatch(involved::contains);
        assertThat(report.nodes()).extracting(NodeView::serverId).contains(dead, movedTo, ghostOn);
        assertThat(report.nodes())
                .allSatisfy(v -> assertThat(v.running()).hasSizeLessThanOrEqualTo(ReconcileReports.MAX_LISTED));

        // Every run of the parent: follow the continue-as-new chain from the first run.
        Map<String, int[]> runs = new LinkedHashMap<>();
        String runId = firstRun;
        while (runId != null) {
            WorkflowExecutionHistory history = client.fetchHistory(WORKFLOW_ID, runId);
            runs.put("parent " + runId, measure(history));
            HistoryEvent last = history.getLastEvent();
            runId = last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
                    ? last.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
                    : null;
        }
        int parentRuns = runs.size();
        for (int p = 0; p < PAGES; p++) {
            String id = ReconcileWorkflowImpl.pageId(WORKFLOW_ID, p);
            runs.put(id, measure(client.fetchHistory(id)));
        }
        Map.Entry<String, int[]> mostEvents = runs.entrySet().stream()
                .max((a, b) -> Integer.compare(a.getValue()[0], b.getValue()[0]))
                .orElseThrow();
        Map.Entry<String, int[]> largestEvent = runs.entrySet().stream()
                .max((a, b) -> Integer.compare(a.getValue()[1], b.getValue()[1]))
                .orElseThrow();
        System.out.printf(
                "reconcile %,d servers / %,d accounts: %d ms; %d parent runs, %d pages; most events %d (%s); "
                        + "largest event %,d bytes (%s)%n",
                SERVERS,
                SERVERS * ACCOUNTS_PER_SERVER,
                millis,
                parentRuns,
                PAGES,
                mostEvents.getValue()[0],
                mostEvents.getKey(),
                largestEvent.getValue()[1],
                largestEvent.getKey());
        // A run ends after PAGES_PER_RUN pages without knowing whether more follow: the last one finds none.
        assertThat(parentRuns)
                .as("continued as new every %d pages", ReconcileWorkflowImpl.PAGES_PER_RUN)
                .isEqualTo(PAGES / ReconcileWorkflowImpl.PAGES_PER_RUN + 1);
        assertThat(runs.values()).allSatisfy(m -> {
            assertThat(m[0]).isLessThan(MAX_EVENTS_PER_RUN);
            assertThat(m[1]).isLessThan(MAX_EVENT_BYTES);
        });
    }

    /** [events, bytes of the largest event] of one run. */
    private static int[] measure(WorkflowExecutionHistory history) {
        int largest = 0;
        for (HistoryEvent e : history.getEvents()) {
            largest = Math.max(largest, e.getSerializedSize());
        }
        return new int[] {history.getEvents().size(), largest};
    }

    // --- fakes ---------------------------------------------------------------------------

    /**
     * The database, the heartbeats and what each node runs. Account {@code a<n>} is placed on server
     * {@code s<n / 100>} and runs there, unless overridden: rows are generated when read, never stored.
     */
    static final class Fleet implements ReconcileActivities {
        final Map<String, AccountRow> overrides = new ConcurrentHashMap<>();
        final Map<String, Set<String>> added = new ConcurrentHashMap<>();
        final Map<String, Set<String>> removed = new ConcurrentHashMap<>();
        final Map<String, SessionDir> extraDirs = new ConcurrentHashMap<>();
        final Set<String> removedDirs = ConcurrentHashMap.newKeySet();
        final List<DuplicateGroup> duplicates = new ArrayList<>();
        final List<String> history = Collections.synchronizedList(new ArrayList<>());

        void override(AccountRow row) {
            overrides.put(row.accountId(), row);
        }

        void runOn(String server, String accountId) {
            removed.computeIfAbsent(server, k -> ConcurrentHashMap.newKeySet()).remove(accountId);
            added.computeIfAbsent(server, k -> ConcurrentHashMap.newKeySet()).add(accountId);
        }

        void stopOn(String server, String accountId) {
            added.computeIfAbsent(server, k -> ConcurrentHashMap.newKeySet()).remove(accountId);
            removed.computeIfAbsent(server, k -> ConcurrentHashMap.newKeySet()).add(accountId);
        }

        /** What the server's node runs now (also what its heartbeat says). */
        List<String> running(String server) {
            Set<String> out = new TreeSet<>();
            int s = Integer.parseInt(server.substring(1));
            for (int k = 0; k < ACCOUNTS_PER_SERVER; k++) {
                out.add(account(s * ACCOUNTS_PER_SERVER + k));
            }
            out.removeAll(removed.getOrDefault(server, Set.of()));
            out.addAll(added.getOrDefault(server, Set.of()));
            return List.copyOf(out);
        }

        AccountRow rowOf(String id) {
            AccountRow o = overrides.get(id);
            if (o != null) {
                return o;
            }
            if (!id.matches("a\\d{7}")) {
                return null;
            }
            int n = Integer.parseInt(id.substring(1));
            return new AccountRow(
                    id, server(n / ACCOUNTS_PER_SERVER), null, "online", null, null, null, false, 0, null, null);
        }

        @Override
        public List<ServerTarget> servers(List<String> serverIds) {
            assertThat(serverIds)
                    .as("a page asks for its own servers")
                    .isNotEmpty()
                    .hasSizeLessThanOrEqualTo(PAGE);
            return serverIds.stream()
                    .map(s -> new ServerTarget(s, "active", running(s)))
                    .toList();
        }

        @Override
        public ServerPage serverPage(List<String> serverIds, String afterNodeId, int limit) {
            int from = afterNodeId == null ? 0 : Integer.parseInt(afterNodeId.substring(1)) + 1;
            return new ServerPage(
                    IntStream.range(from, Math.min(SERVERS, from + limit))
                            .mapToObj(ReconcileHistoryBoundTest::server)
                            .toList(),
                    SERVERS);
        }

        @Override
        public List<SessionDir> sessionDirs(String serverId) {
            int s = Integer.parseInt(serverId.substring(1));
            List<SessionDir> dirs = new ArrayList<>();
            for (int k = 0; k < ACCOUNTS_PER_SERVER; k++) {
                dirs.add(new SessionDir(account(s * ACCOUNTS_PER_SERVER + k), SHA, 1_000L, 1_000L));
            }
            SessionDir extra = extraDirs.get(serverId);
            if (extra != null && !removedDirs.contains(extra.accountId() + "@" + serverId)) {
                dirs.add(extra);
            }
            return dirs;
        }

        @Override
        public FleetSnapshot snapshot(List<String> reportedIds, List<String> dirAccountIds) {
            throw new UnsupportedOperationException("a paged run never reads the whole fleet");
        }

        @Override
        public FleetSnapshot pageSnapshot(
                List<String> serverIds,
                List<String> reportedIds,
                Map<String, List<String>> dirsByServer,
                boolean global) {
            Set<String> page = new HashSet<>(serverIds);
            Map<String, AccountRow> rows = new TreeMap<>();
            for (String s : serverIds) {
                int n = Integer.parseInt(s.substring(1));
                for (int k = 0; k < ACCOUNTS_PER_SERVER; k++) {
                    AccountRow r = rowOf(account(n * ACCOUNTS_PER_SERVER + k));
                    if (page.contains(r.serverId()) || page.contains(r.reservedServerId())) {
                        rows.put(r.accountId(), r);
                    }
                }
            }
            for (AccountRow r : overrides.values()) {
                if (page.contains(r.serverId())
                        || page.contains(r.reservedServerId())
                        || (global
                                && r.operationId() != null
                                && r.serverId() == null
                                && r.reservedServerId() == null)) {
                    rows.put(r.accountId(), r);
                }
            }
            Set<String> asked = new TreeSet<>(reportedIds);
            dirsByServer.values().forEach(asked::addAll);
            if (global) {
                duplicates.forEach(g -> asked.addAll(g.accountIds()));
            }
            for (String id : asked) {
                AccountRow r = rowOf(id);
                if (r != null) {
                    rows.putIfAbsent(id, r);
                }
            }
            // As the real one: the stored copy only where a directory may be an orphan.
            Set<String> dirs = new HashSet<>();
            dirsByServer.forEach((server, ids) -> ids.forEach(id -> {
                AccountRow r = rows.get(id);
                if (r != null && (!server.equals(r.serverId()) || r.operationId() != null)) {
                    dirs.add(id);
                }
            }));
            List<AccountRow> out = rows.values().stream()
                    .map(r -> dirs.contains(r.accountId())
                            ? new AccountRow(
                                    r.accountId(),
                                    r.serverId(),
                                    r.reservedServerId(),
                                    r.status(),
                                    r.scriptId(),
                                    r.operationId(),
                                    r.operationState(),
                                    r.operationStale(),
                                    r.restartAttempts(),
                                    SHA,
                                    2_000L,
                                    r.reportedBy())
                            : r)
                    .toList();
            return new FleetSnapshot(out, global ? List.copyOf(duplicates) : List.of(), 3);
        }

        @Override
        public List<String> heartbeatListed(List<AssignedServer> accounts) {
            return accounts.stream()
                    .filter(a -> running(a.serverId()).contains(a.accountId()))
                    .map(AssignedServer::accountId)
                    .toList();
        }

        @Override
        public List<AccountCheck> recheck(List<String> accountIds) {
            return accountIds.stream()
                    .map(id -> new AccountCheck(id, rowOf(id), null))
                    .toList();
        }

        @Override
        public void settle(String accountId, String serverId, String operationId, RepairAction action, String reason) {
            AccountRow r = rowOf(accountId);
            assertThat(r.operationId()).isEqualTo(operationId);
            String server = action == RepairAction.RELEASE ? null : r.serverId();
            String status = switch (action) {
                case FINISH, ABORT_MIGRATION -> "online";
                case RELEASE -> "unallocated";
                case SETTLE_OFFLINE -> "offline";
                default -> "failed";
            };
            override(new AccountRow(accountId, server, null, status, null, null, null, false, 0, null, null));
        }

        @Override
        public int restartAttempt(String accountId, String serverId) {
            return 1;
        }

        @Override
        public void markFailed(String accountId, String serverId, String reason) {
            throw new AssertionError("nothing is marked failed here: " + accountId + " on " + serverId);
        }

        @Override
        public void confirmRunning(List<String> accountIds) {}

        @Override
        public void record(String workflowId, Drift drift, String outcome, String detail) {
            history.add(drift.kind() + " " + drift.accountId() + " " + drift.serverId() + " " + outcome);
        }
    }

    final class Sessions implements SessionTransferActivities {
        @Override
        public List<UploadedAccount> uploadBatch(String serverId, List<String> accountIds) {
            return OneByOne.upload(this, serverId, accountIds);
        }

        @Override
        public UploadedSession upload(String accountId, String serverId) {
            return new UploadedSession(accountId, serverId, "/srv/" + accountId, "aa", 10);
        }

        @Override
        public void remove(String accountId, String serverId) {
            fleet.removedDirs.add(accountId + "@" + serverId);
        }

        @Override
        public UploadedSession fetchExported(
                String accountId, String serverId, String remotePath, String expectedSha256) {
            throw new UnsupportedOperationException();
        }
    }

    final class Node extends io.groupai.fleet.workflows.agent.NodeAgentForTests {
        private final String id;

        Node(String id) {
            this.id = id;
        }

        @Override
        public List<AccountRuntimeState> listAccounts() {
            return fleet.running(id).stream()
                    .map(a -> new AccountRuntimeState(a, "online", null, null))
                    .toList();
        }

        @Override
        public AccountRuntimeState startAccount(StartAccountRequest request) {
            fleet.runOn(id, request.accountId());
            return new AccountRuntimeState(request.accountId(), "online", request.scriptId(), null);
        }

        @Override
        public AccountRuntimeState stopAccount(String accountId) {
            fleet.stopOn(id, accountId);
            return new AccountRuntimeState(accountId, "stopped", null, null);
        }

        @Override
        public NodePing ping() {
            return new NodePing(id, "test", "simulated", 0, 1);
        }
    }
}
