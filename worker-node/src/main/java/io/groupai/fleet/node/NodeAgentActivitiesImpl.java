package io.groupai.fleet.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.groupai.fleet.node.accounts.AccountRunner;
import io.groupai.fleet.node.accounts.Concurrently;
import io.groupai.fleet.node.scripts.ScriptStore;
import io.groupai.fleet.node.sessions.SessionStore;
import io.groupai.fleet.node.telegram.TelegramException;
import io.groupai.fleet.node.telegram.TelegramRuntime;
import io.groupai.fleet.sessionformat.AtomicFiles;
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
import io.groupai.fleet.workflows.agent.StartedAccount;
import io.groupai.fleet.workflows.allocation.OneByOne;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's activities (see {@link NodeAgentActivities}). Every failure becomes an
 * {@link ApplicationFailure} whose message names the node, the account and the step; it is
 * non-retryable where a retry cannot help (bad archive, foreign session, unknown account, bad
 * argument). FLOOD_WAIT is retryable with the delay Telegram asked for.
 */
public final class NodeAgentActivitiesImpl implements NodeAgentActivities {

    private static final Logger log = LoggerFactory.getLogger(NodeAgentActivitiesImpl.class);

    private final String nodeId;
    private final String agentVersion;
    private final TelegramRuntime runtime;
    private final AccountRunner accounts;
    private final SessionStore sessions;
    private final ScriptStore scripts;
    private final ControlPlaneHttp http;
    private final long maxDownloadBytes;

    public NodeAgentActivitiesImpl(
            String nodeId,
            String agentVersion,
            TelegramRuntime runtime,
            AccountRunner accounts,
            SessionStore sessions,
            ScriptStore scripts,
            ControlPlaneHttp http,
            long maxUnpackedBytes) {
        this.nodeId = nodeId;
        this.agentVersion = agentVersion;
        this.runtime = runtime;
        this.accounts = accounts;
        this.sessions = sessions;
        this.scripts = scripts;
        this.http = http;
        // Compressed data is at most a little larger than what it unpacks to.
        this.maxDownloadBytes = maxUnpackedBytes + maxUnpackedBytes / 10 + 1024 * 1024;
    }

    @Override
    public NodePing ping() {
        return new NodePing(
                nodeId,
                agentVersion,
                runtime.name(),
                accounts.runningCount(),
                ProcessHandle.current().pid());
    }

    @Override
    public AccountRuntimeState startAccount(StartAccountRequest request) {
        String accountId = request == null ? null : request.accountId();
        return run("start-account", accountId, () -> {
            SafeNames.require("account id", accountId);
            if (request.scriptId() != null) {
                SafeNames.require("script id", request.scriptId());
            }
            return accounts.start(accountId, request.scriptId());
        });
    }

    /**
     * One task for several accounts (the control plane batches the accounts it places here); each fails alone.
     * They start concurrently, each on its own virtual thread: a start mostly waits (the Telegram client
     * connecting, TDLib opening its database), so a batch one by one took the sum of those waits. How many
     * run at once is bounded node-wide by {@link AccountRunner#startParallelism()}; each account's own
     * start stays serialised by its lock, and the lease is checked per start as before. Outcomes are in
     * request order.
     */
    @Override
    public List<StartedAccount> startAccounts(List<StartAccountRequest> requests) {
        return Concurrently.map(
                requests == null ? List.of() : requests,
                "start-account-",
                request -> OneByOne.start(this, List.of(request)).getFirst(),
                (request, e) -> new StartedAccount(
                        request == null ? null : request.accountId(),
                        null,
                        e instanceof RuntimeException r ? OneByOne.describe(r) : String.valueOf(e)));
    }

    @Override
    public AccountRuntimeState stopAccount(String accountId) {
        return run("stop-account", accountId, () -> accounts.stop(SafeNames.require("account id", accountId)));
    }

    @Override
    public List<AccountRuntimeState> listAccounts() {
        return run("list-accounts", null, accounts::list);
    }

    @Override
    public SessionInfo installSession(String accountId) {
        return run("install-session", accountId, () -> {
            SafeNames.require("account id", accountId);
            return sessions.install(accountId, !accounts.isRunning(accountId));
        });
    }

    @Override
    public void removeSession(String accountId) {
        run("remove-session", accountId, () -> {
            SafeNames.require("account id", accountId);
            requireStopped("remove-session", accountId);
            sessions.remove(accountId);
            accounts.forget(accountId);
            return null;
        });
    }

    @Override
    public ExportedSession exportSession(String accountId) {
        return run("export-session", accountId, () -> {
            SafeNames.require("account id", accountId);
            // TDLib writes its database while running; a copy taken then could be torn.
            requireStopped("export-session", accountId);
            return sessions.export(accountId);
        });
    }

    @Override
    public void discardMigratedSession(String accountId, String exportPath) {
        run("discard-migrated-session", accountId, () -> {
            SafeNames.require("account id", accountId);
            // It moved away: a copy running here again would be the account twice.
            requireStopped("discard-migrated-session", accountId);
            sessions.deleteExport(accountId, exportPath);
            sessions.remove(accountId);
            accounts.forget(accountId);
            return null;
        });
    }

    @Override
    public ScriptInstallResult installScript(InstallScriptRequest request) {
        return run("install-script", null, () -> {
            if (request == null) {
                throw new IllegalArgumentException("request is required");
            }
            scripts.install(request.scriptId(), request.version(), request.downloadUrl(), request.sha256());
            return new ScriptInstallResult(
                    request.scriptId(), request.version(), accounts.reloadScript(request.scriptId()));
        });
    }

    @Override
    public void removeScript(String scriptId) {
        run("remove-script", null, () -> {
            scripts.remove(SafeNames.require("script id", scriptId));
            accounts.reloadScript(scriptId); // they now run without a script
            return null;
        });
    }

    @Override
    public SentMessage sendMessage(SendMessageRequest request) {
        String accountId = request == null ? null : request.accountId();
        return run("send-message", accountId, () -> {
            SafeNames.require("account id", accountId);
            if (request.text() == null || request.text().isBlank()) {
                throw new IllegalArgumentException("text is required");
            }
            long id = accounts.sendMessage(accountId, request.chatId(), request.text());
            return new SentMessage(accountId, request.chatId(), id);
        });
    }

    /**
     * A heartbeat's pending command: {@code update_script} is installScript, {@code upload_session}
     * downloads the archive into {@code sessions/<account_id>/session.zip} and installs it.
     */
    public void executeCommand(String action, JsonNode params) {
        try {
            executeCommandOrFail(action, params);
        } catch (ApplicationFailure e) {
            // Reported in failed_commands: the plain message, not ApplicationFailure's toString form.
            throw new IllegalStateException(e.getOriginalMessage(), e);
        }
    }

    private void executeCommandOrFail(String action, JsonNode params) {
        switch (action) {
            case "update_script" ->
                installScript(new InstallScriptRequest(
                        text(params, "script_id"),
                        text(params, "version"),
                        text(params, "download_url"),
                        text(params, "sha256")));
            case "upload_session" -> {
                String accountId = text(params, "account_id");
                String url = text(params, "session_url");
                run("upload-session", accountId, () -> {
                    SafeNames.require("account id", accountId);
                    if (url == null) {
                        throw new IllegalArgumentException("session_url is required");
                    }
                    downloadSession(accountId, url);
                    return null;
                });
                installSession(accountId);
            }
            default -> throw new IllegalArgumentException("unknown command action '" + action + "'");
        }
    }

    /** The header with the SHA-256 of a session archive the control plane serves (its recorded checksum). */
    public static final String SESSION_SHA256_HEADER = "X-Session-SHA256";

    private void downloadSession(String accountId, String url) {
        Path dir = sessions.accountDir(accountId);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".upload-", ".tmp");
            try {
                ControlPlaneHttp.Downloaded got = http.fetch(url, tmp, maxDownloadBytes, Duration.ofMinutes(10));
                // The control plane sends the SHA-256 it recorded when it stored the session: what arrived must be it.
                java.util.Optional<String> expected = got.headers().firstValue(SESSION_SHA256_HEADER);
                if (expected.isPresent()) {
                    String actual = io.groupai.fleet.sessionformat.Sha256.hex(tmp);
                    if (!actual.equalsIgnoreCase(expected.get().strip())) {
                        throw NodeOperationException.rejected(
                                "upload-session",
                                accountId,
                                io.groupai.fleet.workflows.FailureTypes.SESSION_CHECKSUM_MISMATCH,
                                "the downloaded session archive has SHA-256 " + actual + ", the control plane sent "
                                        + expected.get().strip() + "; it was not installed");
                    }
                }
                AtomicFiles.move(tmp, dir.resolve(SessionStore.UPLOAD));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw NodeOperationException.transientFailure(
                    "upload-session",
                    accountId,
                    "cannot download the session archive: " + ControlPlaneHttp.describe(e),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NodeOperationException.transientFailure("upload-session", accountId, "interrupted", e);
        }
    }

    private static String text(JsonNode params, String field) {
        JsonNode v = params == null ? null : params.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private void requireStopped(String step, String accountId) {
        if (accounts.isRunning(accountId)) {
            throw NodeOperationException.rejected(
                    step,
                    accountId,
                    FailureTypes.ACCOUNT_RUNNING,
                    "the account is running on this node; stop it first");
        }
    }

    private <T> T run(String step, String accountId, Supplier<T> body) {
        try {
            return body.get();
        } catch (NodeOperationException e) {
            String message = prefix(e.step(), accountId) + e.getMessage();
            log.warn("{}", message);
            if (e.getCause() instanceof TelegramException t
                    && t.kind() == TelegramException.Kind.FLOOD_WAIT
                    && t.retryAfter() != null) {
                return throwDelayed(message, e.type(), t.retryAfter());
            }
            throw e.nonRetryable()
                    ? ApplicationFailure.newNonRetryableFailure(message, e.type())
                    : ApplicationFailure.newFailure(message, e.type());
        } catch (IllegalArgumentException e) {
            String message = prefix(step, accountId) + e.getMessage();
            log.warn("{}", message);
            throw ApplicationFailure.newNonRetryableFailure(message, FailureTypes.INVALID_ARGUMENT);
        } catch (ApplicationFailure e) {
            throw e;
        } catch (RuntimeException e) {
            String message = prefix(step, accountId) + "unexpected " + e;
            log.error("{}", message, e);
            throw ApplicationFailure.newFailure(message, FailureTypes.NODE_INTERNAL_ERROR);
        }
    }

    private static <T> T throwDelayed(String message, String type, Duration delay) {
        throw ApplicationFailure.newFailureWithCauseAndDelay(message, type, null, delay);
    }

    private String prefix(String step, String accountId) {
        return "node " + nodeId + (accountId == null ? "" : ", account " + accountId) + ", step " + step + ": ";
    }
}
