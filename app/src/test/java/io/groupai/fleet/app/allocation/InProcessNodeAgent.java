package io.groupai.fleet.app.allocation;

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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TEST STAND-IN for the worker-node agent (the real one is written in parallel): serves
 * {@link NodeAgentActivities} in-process on a node's {@code node-<id>} queue. It starts an account
 * only if the control plane really uploaded its session over SFTP to the simulated node's disk.
 */
public final class InProcessNodeAgent implements NodeAgentActivities {
    @Override
    public java.util.List<io.groupai.fleet.workflows.agent.StartedAccount> startAccounts(
            java.util.List<StartAccountRequest> requests) {
        return io.groupai.fleet.workflows.allocation.OneByOne.start(this, requests);
    }

    private final String nodeId;
    private final Path deployDir;
    private final Map<String, String> running = new ConcurrentHashMap<>();
    private final List<SendMessageRequest> sent = new java.util.concurrent.CopyOnWriteArrayList<>();

    public InProcessNodeAgent(String nodeId, Path deployDir) {
        this.nodeId = nodeId;
        this.deployDir = deployDir;
    }

    public Map<String, String> running() {
        return running;
    }

    private Path session(String accountId) {
        return deployDir.resolve("sessions").resolve(accountId).resolve("session.zip");
    }

    @Override
    public AccountRuntimeState startAccount(StartAccountRequest request) {
        if (!Files.isRegularFile(session(request.accountId()))) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "server " + nodeId + ": no session uploaded for account " + request.accountId(),
                    FailureTypes.SESSION_MISSING);
        }
        running.put(request.accountId(), request.scriptId() == null ? "" : request.scriptId());
        return new AccountRuntimeState(request.accountId(), "online", request.scriptId(), "in-process test agent");
    }

    @Override
    public AccountRuntimeState stopAccount(String accountId) {
        running.remove(accountId);
        return new AccountRuntimeState(accountId, "stopped", null, null);
    }

    private final java.util.concurrent.atomic.AtomicReference<Runnable> afterNextList =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** Runs once, right after the next listing was taken and before it is answered (a race made deterministic). */
    public void afterNextList(Runnable meanwhile) {
        afterNextList.set(meanwhile);
    }

    @Override
    public List<AccountRuntimeState> listAccounts() {
        List<AccountRuntimeState> listed = running.keySet().stream()
                .sorted(Comparator.naturalOrder())
                .map(a -> new AccountRuntimeState(a, "online", null, null))
                .toList();
        Runnable meanwhile = afterNextList.getAndSet(null);
        if (meanwhile != null) {
            meanwhile.run();
        }
        return listed;
    }

    @Override
    public ExportedSession exportSession(String accountId) {
        try {
            Path exports = Files.createDirectories(deployDir.resolve("exports"));
            Path out = exports.resolve(accountId + ".zip");
            Files.copy(session(accountId), out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return new ExportedSession(
                    accountId, out.toString(), Files.size(out), io.groupai.fleet.sessionformat.Sha256.hex(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public NodePing ping() {
        return new NodePing(
                nodeId,
                "in-process-test-agent",
                "simulated",
                running.size(),
                ProcessHandle.current().pid());
    }

    @Override
    public SessionInfo installSession(String accountId) {
        return new SessionInfo(accountId, "tdlib", null, null, 0, "n/a");
    }

    @Override
    public void removeSession(String accountId) {
        running.remove(accountId);
    }

    /** As the real agent: only this account's export directly in exports/, then the session directory. */
    @Override
    public void discardMigratedSession(String accountId, String exportPath) {
        Path exports = deployDir.resolve("exports").toAbsolutePath().normalize();
        Path file = exports.resolve(exportPath).normalize();
        if (!exports.equals(file.getParent()) || !file.getFileName().toString().startsWith(accountId)) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "server " + nodeId + ": refusing to delete " + exportPath, FailureTypes.INVALID_ARGUMENT);
        }
        try {
            Files.deleteIfExists(file);
            Path dir = deployDir.resolve("sessions").resolve(accountId);
            if (Files.isDirectory(dir)) {
                try (var walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        running.remove(accountId);
    }

    @Override
    public ScriptInstallResult installScript(InstallScriptRequest request) {
        throw new UnsupportedOperationException("not part of the allocation tests");
    }

    @Override
    public void removeScript(String scriptId) {
        throw new UnsupportedOperationException("not part of the allocation tests");
    }

    @Override
    public SentMessage sendMessage(SendMessageRequest request) {
        sent.add(request);
        return new SentMessage(request.accountId(), request.chatId(), sent.size());
    }

    /** Messages the control plane's workflows had this node's accounts send (multi-account scenes). */
    public List<SendMessageRequest> sent() {
        return sent;
    }
}
