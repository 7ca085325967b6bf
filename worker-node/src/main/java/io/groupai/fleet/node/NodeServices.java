package io.groupai.fleet.node;

import io.groupai.fleet.node.accounts.AccountRunner;
import io.groupai.fleet.node.heartbeat.HeartbeatService;
import io.groupai.fleet.node.logins.LoginPoller;
import io.groupai.fleet.node.scripts.AiClient;
import io.groupai.fleet.node.scripts.DialogueServices;
import io.groupai.fleet.node.scripts.HttpReplyClaims;
import io.groupai.fleet.node.scripts.HttpScenePlayer;
import io.groupai.fleet.node.scripts.OpenAiCompatibleClient;
import io.groupai.fleet.node.scripts.ScriptStore;
import io.groupai.fleet.node.sessions.SessionStore;
import io.groupai.fleet.node.telegram.SimulatedTelegramRuntime;
import io.groupai.fleet.node.telegram.TelegramRuntime;
import io.groupai.fleet.node.telegram.tdlib.TdlibClientManager;
import io.groupai.fleet.node.telegram.tdlib.TdlibConfig;
import io.groupai.fleet.node.telegram.tdlib.TdlibTelegramRuntime;
import io.groupai.fleet.node.telegram.tdlib.TdlibUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything of the agent except the Temporal worker and the pid file, wired together: the
 * Telegram runtime, sessions, scripts, accounts, the activity implementation and the heartbeat.
 * Tests build it directly with their own clock.
 */
public final class NodeServices implements AutoCloseable {

    private final NodeConfig config;
    private final ControlPlaneHttp http;
    private final TelegramRuntime runtime;
    private final SessionStore sessions;
    private final ScriptStore scripts;
    private final AccountRunner accounts;
    private final DialogueServices dialogue;
    private final NodeAgentActivitiesImpl activities;
    private final HeartbeatService heartbeat;
    private final LoginPoller logins;

    public NodeServices(NodeConfig config, Clock clock) throws IOException {
        this(config, clock, System.getenv());
    }

    /** @param env where TELEGRAM_API_ID / TELEGRAM_API_HASH are read from for the TDLib runtime */
    public NodeServices(NodeConfig config, Clock clock, Map<String, String> env) throws IOException {
        this.config = config;
        for (String dir : List.of("run", "logs", "sessions", "exports", "scripts")) {
            Files.createDirectories(config.deployDir().resolve(dir));
        }
        this.http = new ControlPlaneHttp(config.controlPlaneUrl(), config.nodeToken(), config.controlPlaneTlsCa());
        this.runtime = switch (config.telegramRuntime()) {
            case "simulated" -> new SimulatedTelegramRuntime(http, config.nodeId(), config.simPollTimeout());
            case "tdlib" -> tdlib(config, env);
            default ->
                throw new NodeConfig.InvalidConfigException(List.of(
                        "TELEGRAM_RUNTIME=" + config.telegramRuntime() + " is unknown; use simulated or tdlib"));
        };
        this.sessions = new SessionStore(config.deployDir(), config.sessionMaxUnpackedBytes(), clock);
        this.scripts = new ScriptStore(config.deployDir().resolve("scripts"), http);
        this.dialogue = new DialogueServices(
                new HttpReplyClaims(http, config.nodeId()),
                config.aiRouterUrl() == null
                        ? AiClient.NONE
                        : new OpenAiCompatibleClient(
                                config.aiRouterUrl(), config.aiRouterApiKey(), config.aiRouterModel()),
                // Multi-account scenes are started by the control plane, asked over HTTP (nodes start no workflow).
                new HttpScenePlayer(http, config.nodeId()),
                DialogueServices.newScheduler());
        this.accounts = new AccountRunner(runtime, sessions, scripts, clock, dialogue, config.startParallelism());
        this.activities = new NodeAgentActivitiesImpl(
                config.nodeId(),
                agentVersion(),
                runtime,
                accounts,
                sessions,
                scripts,
                http,
                config.sessionMaxUnpackedBytes());
        this.heartbeat = new HeartbeatService(
                config.nodeId(),
                http,
                accounts,
                sessions::relativeSessionPath,
                activities::executeCommand,
                clock,
                config.heartbeatInterval());
        accounts.setStartPermitted(heartbeat::ensureLease);
        accounts.setDatabaseKeys(new io.groupai.fleet.node.accounts.HttpDatabaseKeys(http, config.nodeId()));
        heartbeat.restoreOnly(id -> sessions.installed(id) || sessions.uploadPending(id));
        // A login needs a live client for the account: started (lease-fenced) or restarted if its session died.
        this.logins = new LoginPoller(http, config.nodeId(), runtime, accounts::startForLogin, config.simPollTimeout());
    }

    /**
     * TDLib with TELEGRAM_API_ID / TELEGRAM_API_HASH from the environment (the launcher reads them from
     * {@code conf/telegram.env}; they never travel through the control plane) and libtdjson.so from
     * {@code <deploy_dir>/lib/} unless TDLIB_PATH says otherwise.
     */
    private static TelegramRuntime tdlib(NodeConfig config, Map<String, String> env) {
        TdlibConfig tdlib;
        try {
            tdlib = TdlibConfig.fromEnv(env);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new NodeConfig.InvalidConfigException(List.of("TELEGRAM_RUNTIME=tdlib: " + e.getMessage()));
        }
        try {
            return new TdlibTelegramRuntime(TdlibClientManager.start(tdlib, Optional.of(config.deployDir())));
        } catch (TdlibUnavailableException e) {
            throw new NodeConfig.InvalidConfigException(List.of("TELEGRAM_RUNTIME=tdlib: " + e.getMessage()));
        }
    }

    public static String agentVersion() {
        String v = NodeServices.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public NodeConfig config() {
        return config;
    }

    public ControlPlaneHttp http() {
        return http;
    }

    public NodeAgentActivitiesImpl activities() {
        return activities;
    }

    public AccountRunner accounts() {
        return accounts;
    }

    public HeartbeatService heartbeat() {
        return heartbeat;
    }

    public SessionStore sessions() {
        return sessions;
    }

    public LoginPoller logins() {
        return logins;
    }

    public TelegramRuntime runtime() {
        return runtime;
    }

    /** Stops the login poller and the accounts, then the heartbeat, then the runtime. */
    @Override
    public void close() {
        logins.close();
        accounts.stopAll("the agent is shutting down");
        heartbeat.close();
        dialogue.scheduler().shutdownNow();
        runtime.close();
    }
}
