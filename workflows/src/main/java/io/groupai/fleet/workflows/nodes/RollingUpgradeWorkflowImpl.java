package io.groupai.fleet.workflows.nodes;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.NodePing;
import io.groupai.fleet.workflows.supervision.SupervisionActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

public class RollingUpgradeWorkflowImpl implements RollingUpgradeWorkflow {

    private static final int DEFAULT_BATCH = 2;
    private static final int DEFAULT_HEALTH_TIMEOUT_SECONDS = 120;
    private static final Duration RECHECK = Duration.ofSeconds(2);
    /** Runs started before a rollback also waited for the accounts replay without that wait. */
    private static final String ROLLBACK_AWAITS_ACCOUNTS = "rollback-awaits-accounts";
    /** Runs started before upgrades also installed the distribution's Java runtime replay without that step. */
    private static final String UPGRADE_RUNTIME = "upgrade-runtime";

    private static final RetryOptions SSH_RETRIES = RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setMaximumAttempts(3)
            .setDoNotRetry(FailureTypes.NON_RETRYABLE_NODE_FAILURE)
            .build();

    private final NodeInstallActivities install = Workflow.newActivityStub(
            NodeInstallActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(10))
                    .setRetryOptions(SSH_RETRIES)
                    .build());
    private final NodeUpgradeActivities upgrade = Workflow.newActivityStub(
            NodeUpgradeActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(2))
                    .setRetryOptions(SSH_RETRIES)
                    .build());
    private final NodeOperationsActivities nodes = Workflow.newActivityStub(
            NodeOperationsActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(2))
                    .setRetryOptions(SSH_RETRIES)
                    .build());
    private final SupervisionActivities supervision = Workflow.newActivityStub(
            SupervisionActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofSeconds(30))
                    .build());

    /** Insertion order is upgrade order; the query reads it. */
    private final Map<String, ServerUpgrade> servers = new LinkedHashMap<>();

    private Duration healthTimeout = Duration.ofSeconds(DEFAULT_HEALTH_TIMEOUT_SECONDS);

    @Override
    public RollingUpgradeResult run(RollingUpgradeRequest request) {
        if (request == null || request.nodeIds() == null || request.nodeIds().isEmpty()) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "request needs nodeIds, e.g. {\"nodeIds\":[\"worker-01\",\"worker-02\"]}",
                    FailureTypes.INVALID_REQUEST);
        }
        int batch = request.batchSize() == null ? DEFAULT_BATCH : Math.max(1, request.batchSize());
        if (request.healthTimeoutSeconds() != null) {
            healthTimeout = Duration.ofSeconds(Math.max(5, request.healthTimeoutSeconds()));
        }
        request.nodeIds().forEach(id -> servers.put(id, ServerUpgrade.pending(id)));
        List<String> order = List.copyOf(servers.keySet());

        // The canary alone, then the rest batch by batch; the first server that is not healthy stops it.
        List<List<String>> waves = new ArrayList<>();
        waves.add(List.of(order.get(0)));
        for (int k = 1; k < order.size(); k += batch) {
            waves.add(order.subList(k, Math.min(order.size(), k + batch)));
        }
        for (int w = 0; w < waves.size(); w++) {
            List<Promise<ServerUpgrade>> running = new ArrayList<>();
            for (String nodeId : waves.get(w)) {
                running.add(Async.function(this::upgradeOne, nodeId));
            }
            Promise.allOf(running).get();
            List<ServerUpgrade> bad = running.stream()
                    .map(Promise::get)
                    .filter(s -> !s.state().equals("UPGRADED"))
                    .toList();
            if (!bad.isEmpty()) {
                for (List<String> later : waves.subList(w + 1, waves.size())) {
                    later.forEach(id -> servers.put(
                            id,
                            servers.get(id)
                                    .at(
                                            "SKIPPED",
                                            null,
                                            "the rollout stopped at "
                                                    + bad.get(0).nodeId())));
                }
                ServerUpgrade first = bad.get(0);
                throw ApplicationFailure.newNonRetryableFailure(
                        (w == 0 ? "canary " : "") + "server " + first.nodeId()
                                + (first.state().equals("ROLLED_BACK") ? " was rolled back" : " failed")
                                + " after step '" + first.step() + "': " + first.detail()
                                + "; the rollout stopped (" + upgraded() + " of " + order.size() + " upgraded)",
                        FailureTypes.UPGRADE_FAILED);
            }
        }
        return new RollingUpgradeResult(
                true, progress(), "all " + order.size() + " servers upgraded and their accounts back online");
    }

    private long upgraded() {
        return servers.values().stream()
                .filter(s -> s.state().equals("UPGRADED"))
                .count();
    }

    /** One server: keep the old agent, install and start the new one, check it; roll back when it is not healthy. */
    private ServerUpgrade upgradeOne(String nodeId) {
        NodeAgentActivities agent = agentOf(nodeId);
        String previous = null;
        Set<String> assigned = Set.of();
        String step = "ping the running agent";
        try {
            set(nodeId, "UPGRADING", step, null);
            previous = versionOf(agent);
            servers.put(nodeId, servers.get(nodeId).versions(previous, null));
            assigned = new TreeSet<>(supervision.accountsOn(nodeId));
            step = "keep the previous agent";
            set(nodeId, "UPGRADING", step, null);
            upgrade.keepPreviousDistribution(nodeId);
            // A new build may ship a new Java runtime: installed once per version, kept aside above for a rollback.
            if (Workflow.getVersion(UPGRADE_RUNTIME, Workflow.DEFAULT_VERSION, 1) == 1) {
                step = "install the Java runtime";
                set(nodeId, "UPGRADING", step, null);
                install.installRuntime(nodeId);
            }
            step = "install the new agent";
            set(nodeId, "UPGRADING", step, null);
            install.installDistribution(nodeId);
            install.writeNodeConfig(nodeId);
            step = "restart the worker process";
            set(nodeId, "UPGRADING", step, null);
            nodes.stopWorker(nodeId);
            nodes.startWorker(nodeId);
            step = "wait for the new agent";
            set(nodeId, "UPGRADING", step, null);
            String next = versionOf(agent);
            servers.put(nodeId, servers.get(nodeId).versions(previous, next));
            step = "wait for its accounts";
            set(nodeId, "UPGRADING", step, assigned.size() + " accounts to come back online");
            awaitOnline(agent, assigned);
            return set(
                    nodeId,
                    "UPGRADED",
                    null,
                    "agent " + previous + " -> " + next + ", " + assigned.size() + " accounts back online");
        } catch (ActivityFailure | ApplicationFailure failure) {
            String why = failure instanceof ActivityFailure af
                    ? io.groupai.fleet.workflows.StepLog.causeOf(af)
                    : failure.getOriginalMessage();
            return rollBack(nodeId, agent, step, why, previous, assigned);
        }
    }

    private ServerUpgrade rollBack(
            String nodeId,
            NodeAgentActivities agent,
            String failedStep,
            String why,
            String previous,
            Set<String> assigned) {
        if (previous == null) {
            // Nothing was changed on the server yet (the running agent did not answer): nothing to roll back.
            return set(nodeId, "FAILED", failedStep, why + " (nothing was changed on " + nodeId + ")");
        }
        set(nodeId, "UPGRADING", "roll back", "after '" + failedStep + "' failed: " + why);
        try {
            upgrade.restorePreviousDistribution(nodeId);
            nodes.stopWorker(nodeId);
            nodes.startWorker(nodeId);
            String back = versionOf(agent);
            String accounts = "";
            if (Workflow.getVersion(ROLLBACK_AWAITS_ACCOUNTS, Workflow.DEFAULT_VERSION, 1) == 1) {
                // Rolled back means the server works as before: its accounts online again, not only its agent.
                set(
                        nodeId,
                        "UPGRADING",
                        "roll back: wait for its accounts",
                        "after '" + failedStep + "' failed: " + why);
                awaitOnline(agent, assigned);
                accounts = ", " + assigned.size() + " accounts back online";
            }
            return set(nodeId, "ROLLED_BACK", failedStep, why + "; agent " + back + " runs again" + accounts);
        } catch (ActivityFailure | ApplicationFailure rollbackFailed) {
            String cause = rollbackFailed instanceof ActivityFailure af
                    ? io.groupai.fleet.workflows.StepLog.causeOf(af)
                    : rollbackFailed.getOriginalMessage();
            return set(nodeId, "FAILED", failedStep, why + "; the rollback failed too: " + cause);
        }
    }

    private void awaitOnline(NodeAgentActivities agent, Set<String> assigned) {
        long deadline = Workflow.currentTimeMillis() + healthTimeout.toMillis();
        while (true) {
            Set<String> missing = new TreeSet<>(assigned);
            for (AccountRuntimeState state : agent.listAccounts()) {
                if ("online".equals(state.status())) {
                    missing.remove(state.accountId());
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (Workflow.currentTimeMillis() >= deadline) {
                throw ApplicationFailure.newNonRetryableFailure(
                        missing.size() + " of " + assigned.size() + " accounts not online after "
                                + healthTimeout.toSeconds() + " s: "
                                + List.copyOf(missing).subList(0, Math.min(10, missing.size())),
                        FailureTypes.UPGRADE_FAILED);
            }
            Workflow.sleep(RECHECK);
        }
    }

    private static String versionOf(NodeAgentActivities agent) {
        NodePing ping = agent.ping();
        return ping.agentVersion();
    }

    private NodeAgentActivities agentOf(String nodeId) {
        // The node's own queue: a schedule-to-start time-out is "the agent did not come (back) up".
        return Workflow.newActivityStub(
                NodeAgentActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.node(nodeId))
                        .setScheduleToStartTimeout(healthTimeout)
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setRetryOptions(
                                RetryOptions.newBuilder().setMaximumAttempts(1).build())
                        .build());
    }

    private ServerUpgrade set(String nodeId, String state, String step, String detail) {
        ServerUpgrade next = servers.get(nodeId).at(state, step, detail);
        servers.put(nodeId, next);
        return next;
    }

    @Override
    public List<ServerUpgrade> progress() {
        return List.copyOf(servers.values());
    }
}
