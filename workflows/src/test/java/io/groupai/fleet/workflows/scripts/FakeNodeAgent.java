package io.groupai.fleet.workflows.scripts;

import io.groupai.fleet.workflows.FailureTypes;
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
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/** A node agent for workflow tests: installs scripts (or refuses them), sends messages as its accounts. */
class FakeNodeAgent implements NodeAgentActivities {

    @Override
    public List<io.groupai.fleet.workflows.agent.StartedAccount> startAccounts(
            List<io.groupai.fleet.workflows.agent.StartAccountRequest> requests) {
        return io.groupai.fleet.workflows.allocation.OneByOne.start(this, requests);
    }

    record Sent(String accountId, long chatId, String text, long atMillis) {}

    final String nodeId;
    final Set<String> runningAccounts;
    final List<InstallScriptRequest> installs = new CopyOnWriteArrayList<>();
    final List<Sent> sent;
    final LongSupplier clock;
    volatile boolean refuseScripts;

    FakeNodeAgent(String nodeId, Set<String> runningAccounts, List<Sent> sent, LongSupplier clock) {
        this.nodeId = nodeId;
        this.runningAccounts = runningAccounts;
        this.sent = sent;
        this.clock = clock;
    }

    @Override
    public ScriptInstallResult installScript(InstallScriptRequest request) {
        installs.add(request);
        if (refuseScripts) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "node " + nodeId + ", step install-script: script " + request.scriptId()
                            + " is not a valid script: line 3, column 5: ...",
                    FailureTypes.INVALID_SCRIPT);
        }
        return new ScriptInstallResult(
                request.scriptId(),
                request.version(),
                runningAccounts.stream().sorted().toList());
    }

    @Override
    public SentMessage sendMessage(SendMessageRequest request) {
        if (!runningAccounts.contains(request.accountId())) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "node " + nodeId + ", account " + request.accountId() + ": not running",
                    FailureTypes.ACCOUNT_NOT_RUNNING);
        }
        sent.add(new Sent(request.accountId(), request.chatId(), request.text(), clock.getAsLong()));
        return new SentMessage(request.accountId(), request.chatId(), sent.size());
    }

    @Override
    public NodePing ping() {
        return new NodePing(nodeId, "test", "simulated", runningAccounts.size(), 1);
    }

    @Override
    public AccountRuntimeState startAccount(StartAccountRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public AccountRuntimeState stopAccount(String accountId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<AccountRuntimeState> listAccounts() {
        return List.of();
    }

    @Override
    public SessionInfo installSession(String accountId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeSession(String accountId) {}

    @Override
    public void discardMigratedSession(String accountId, String exportPath) {}

    @Override
    public ExportedSession exportSession(String accountId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeScript(String scriptId) {}
}
