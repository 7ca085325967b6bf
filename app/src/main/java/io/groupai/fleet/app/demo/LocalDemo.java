package io.groupai.fleet.app.demo;

import io.groupai.fleet.app.simnet.SimulatedTelegramNetwork;
import io.groupai.fleet.app.workflows.WorkflowLauncher;
import io.groupai.fleet.nodes.NodeConfigExtras;
import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import io.groupai.fleet.registry.AccountDefinition;
import io.groupai.fleet.registry.AccountRegistry;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.ServerDefinition;
import io.groupai.fleet.registry.ServerRegistry;
import io.groupai.fleet.registry.ServerRegistry.ServerInput;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.registry.SshSecret;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.nodes.BootstrapNodeWorkflow;
import io.groupai.fleet.workflows.nodes.BootstrapRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Starts the local demo beside the control plane: three SIMULATED nodes — worker-01,
 * los-angeles, manila, 5 accounts each — each an embedded SSH server on 127.0.0.1 with its own
 * deploy directory. They are registered like real servers and brought up by the real bootstrap
 * workflow (SFTP upload of the worker-node agent, start through its pid file, first poll on
 * {@code node-<id>}), so every path of a real deployment runs. Eight demo accounts get
 * placeholder sessions for the simulated Telegram network; {@code POST
 * /api/v1/group-ai/account-allocation/auto} places them.
 */
@Component
@ConditionalOnProperty(name = "groupai.demo.enabled", havingValue = "true")
class LocalDemo implements SmartLifecycle, NodeConfigExtras {

    private static final Logger log = LoggerFactory.getLogger(LocalDemo.class);

    record DemoNode(String nodeId, String location) {}

    static final List<DemoNode> NODES = List.of(
            new DemoNode("worker-01", "LosAngeles"),
            new DemoNode("los-angeles", "LosAngeles"),
            new DemoNode("manila", "Manila"));

    /** The account ids of the seeds' batch example. */
    static final List<String> ACCOUNTS = List.of(
            "639277356155",
            "639277333688",
            "639277356598",
            "639641837416",
            "639652840998",
            "639457597211",
            "639679410504",
            "639641842001");

    /** An agent's own shutdown waits up to 10 s for running activities; then a little more. */
    static final long AGENT_STOP_GRACE_MILLIS = 15_000;

    static final String SCRIPT_ID = "000新人欢迎剧本";
    static final String USER = "fleet";

    private final DemoProperties properties;
    private final ServerRegistry servers;
    private final ServerRepository serverRows;
    private final AccountRegistry accountRegistry;
    private final AccountRepository accounts;
    private final SessionStore sessions;
    private final WorkflowLauncher launcher;
    private final SimulatedTelegramNetwork network;
    private final DemoAgentProcesses agents;
    private final SecureRandom random = new SecureRandom();
    private final List<EmbeddedSshNode> running = new ArrayList<>();
    private volatile boolean started;

    LocalDemo(
            DemoProperties properties,
            ServerRegistry servers,
            ServerRepository serverRows,
            AccountRegistry accountRegistry,
            AccountRepository accounts,
            SessionStore sessions,
            WorkflowLauncher launcher,
            SimulatedTelegramNetwork network) {
        this.properties = properties;
        this.servers = servers;
        this.serverRows = serverRows;
        this.accountRegistry = accountRegistry;
        this.accounts = accounts;
        this.sessions = sessions;
        this.launcher = launcher;
        this.network = network;
        this.agents = new DemoAgentProcesses(properties.dir(), AGENT_STOP_GRACE_MILLIS);
    }

    /** After the Temporal workers are up (the starter starts them on ApplicationReadyEvent, too). */
    @EventListener(ApplicationReadyEvent.class)
    void startDemo() {
        Thread.ofVirtual().name("local-demo").start(() -> {
            try {
                startNodes();
                createAccounts();
                long lobby =
                        network.createGroup("Group AI demo lobby (simulated)").chatId();
                ACCOUNTS.forEach(accountId -> network.join(lobby, accountId, null));
                log.info("""

                        ===================================================================================
                         Local demo: 3 SIMULATED nodes (embedded SSH servers on 127.0.0.1) are being
                         bootstrapped with real worker-node agents: {}
                         Sign in (the admin's password: GROUPAI_ADMIN_PASSWORD, or printed once above):
                         curl -X POST localhost:<port>/api/v1/auth/token -H 'Content-Type: application/json' \\
                              -d '{"username": "admin", "password": "..."}'     -> access_token
                         Follow them: GET /api/v1/group-ai/workflows   Place the 8 demo accounts:
                         curl -X POST localhost:<port>/api/v1/group-ai/account-allocation/auto \\
                              -H "Authorization: Bearer <access_token>" \\
                              -H 'Content-Type: application/json' -d '{"strategy": "balanced"}'
                         Then talk to them as a human in the simulated lobby group:
                         GET /api/v1/sim-telegram/groups, POST /api/v1/sim-telegram/groups/<chat_id>/messages
                        ===================================================================================""", NODES.stream().map(DemoNode::nodeId).toList());
            } catch (RuntimeException e) {
                log.error("the local demo could not start: {}", e.getMessage(), e);
            }
        });
    }

    private void startNodes() {
        // Agents left running by an earlier run that was killed (SIGKILL, power loss) still hold
        // that run's tokens: stop them so bootstrap starts fresh ones and none runs twice.
        int leftovers = agents.stopAll("left running by an earlier run of the app");
        if (leftovers > 0) {
            log.info("stopped {} worker-node agent(s) left by an earlier run", leftovers);
        }
        for (DemoNode demo : NODES) {
            String password = token();
            EmbeddedSshNode node = new EmbeddedSshNode(
                            demo.nodeId(), properties.dir().resolve(demo.nodeId()), 0, USER, password, List.of())
                    .start();
            running.add(node);
            ServerDefinition definition = new ServerDefinition(
                    demo.nodeId(),
                    "127.0.0.1",
                    node.port(),
                    USER,
                    node.deployDir().toString(),
                    5,
                    demo.location(),
                    1.0,
                    "load_balance",
                    60,
                    "active",
                    // The demo's nodes are this machine: never a systemd unit for them, wherever the demo runs.
                    "pidfile");
            ServerInput input = new ServerInput(definition, new SshSecret.Password(password), token());
            if (serverRows.exists(demo.nodeId())) {
                servers.update(demo.nodeId(), input);
            } else {
                servers.create(input);
            }
            try {
                launcher.start(
                        BootstrapNodeWorkflow.class,
                        WorkflowIds.bootstrap(demo.nodeId()),
                        "server:" + demo.nodeId(),
                        w -> w::run,
                        new BootstrapRequest(demo.nodeId()));
            } catch (ConflictException alreadyRunning) {
                log.info("bootstrap of {} is already running", demo.nodeId());
            }
        }
    }

    /**
     * Demo agents exit by themselves once this app has been gone for a while (e.g. it was killed),
     * so none is left running for long; real nodes keep running and fence themselves by lease.
     */
    @Override
    public Map<String, String> forNode(String nodeId) {
        boolean demoNode = NODES.stream().anyMatch(n -> n.nodeId().equals(nodeId));
        return demoNode
                ? Map.of(
                        NodeConfigExtras.EXIT_AFTER_CONTROL_PLANE_LOST,
                        properties.agentExitAfter().toSeconds() + "s")
                : Map.of();
    }

    private void createAccounts() {
        for (String accountId : ACCOUNTS) {
            if (accounts.find(accountId).isEmpty()) {
                accountRegistry.create(new AccountDefinition(accountId, SessionStore.ARCHIVE_NAME, SCRIPT_ID, null));
            }
            if (!sessions.has(accountId)) {
                sessions.store(accountId, placeholderSession(accountId));
            }
        }
    }

    /**
     * A placeholder session for the SIMULATED network: shaped like a zipped TDLib directory so
     * every transfer and check runs, but it holds no auth key and cannot log in to Telegram.
     */
    private Path placeholderSession(String accountId) {
        Path temp = sessions.newTempFile();
        try (OutputStream out = Files.newOutputStream(temp);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("td.binlog"));
            zip.write(("SIMULATED placeholder session of demo account " + accountId + "; not a TDLib database\n")
                    .getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo session of " + accountId, e);
        }
        return temp;
    }

    private String token() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public void start() {
        started = true;
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    /** Stopped first of all: agents hold long polls that would otherwise stall the web server's graceful shutdown. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    /**
     * The agents run as their own processes (started with setsid, so they outlive the app unless
     * stopped). The SSH servers close first, so no bootstrap still in flight starts another agent;
     * then the agents are stopped through their pid files, locally: neither the database nor SSH
     * is needed, so the order in which the rest of the app shuts down does not matter to them.
     */
    @Override
    public void stop() {
        started = false;
        running.forEach(EmbeddedSshNode::close);
        running.clear();
        agents.stopAll("the app is shutting down");
    }
}
