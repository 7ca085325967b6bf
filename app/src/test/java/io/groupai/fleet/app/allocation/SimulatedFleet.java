package io.groupai.fleet.app.allocation;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Simulated servers for allocation tests and the bench: an EmbeddedSshNode (real SSH/SFTP) per
 * server, registered through the REST API, and an {@link InProcessNodeAgent} polling its
 * {@code node-<id>} queue through the app's Temporal client.
 */
public final class SimulatedFleet implements AutoCloseable {

    public static final String PASSWORD = "alloc-node-password-123";

    private final Api api;
    private final Path dir;
    private final WorkerFactory workers;
    private final Map<String, EmbeddedSshNode> nodes = new LinkedHashMap<>();
    private final Map<String, InProcessNodeAgent> agents = new LinkedHashMap<>();
    private final List<String> realAgents = new java.util.ArrayList<>();
    /** Every node's deploy directory (embedded and OpenSSH nodes). */
    private final Map<String, Path> deployDirs = new LinkedHashMap<>();

    public SimulatedFleet(Api api, WorkflowClient client, Path dir) {
        this.api = api;
        this.dir = dir;
        this.workers = WorkerFactory.newInstance(client);
    }

    /** Registers a node; {@code agent} false leaves its queue unpolled (a dead worker-node). */
    public SimulatedFleet node(String nodeId, int maxAccounts, boolean agent) {
        EmbeddedSshNode node =
                new EmbeddedSshNode(nodeId, dir.resolve(nodeId), 0, "fleet", PASSWORD, List.of()).start();
        nodes.put(nodeId, node);
        deployDirs.put(nodeId, node.deployDir());
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "port": %d, "user": "fleet", "password": "%s",
                 "deploy_dir": "%s", "max_accounts": %d}""".formatted(
                        nodeId, node.port(), PASSWORD, node.deployDir(), maxAccounts));
        if (created.status() != 201) {
            throw new IllegalStateException("cannot register " + nodeId + ": " + created.body());
        }
        if (agent) {
            InProcessNodeAgent a = new InProcessNodeAgent(nodeId, node.deployDir());
            agents.put(nodeId, a);
            workers.newWorker(TaskQueues.node(nodeId)).registerActivitiesImplementations(a);
        }
        return this;
    }

    /**
     * Registers a node for the REAL worker-node agent: with a node token, so that the bootstrap
     * workflow can install and start the agent there ({@link #bootstrapAll}).
     */
    public SimulatedFleet realAgentNode(String nodeId, int maxAccounts) {
        EmbeddedSshNode node =
                new EmbeddedSshNode(nodeId, dir.resolve(nodeId), 0, "fleet", PASSWORD, List.of()).start();
        nodes.put(nodeId, node);
        deployDirs.put(nodeId, node.deployDir());
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "port": %d, "user": "fleet", "password": "%s",
                 "deploy_dir": "%s", "max_accounts": %d, "node_token": "%s-token-0123456789abcdef"}""".formatted(
                        nodeId, node.port(), PASSWORD, node.deployDir(), maxAccounts, nodeId));
        if (created.status() != 201) {
            throw new IllegalStateException("cannot register " + nodeId + ": " + created.body());
        }
        realAgents.add(nodeId);
        return this;
    }

    /**
     * Registers a node served by a REAL OpenSSH sshd (key login): with the real worker-node agent
     * ({@code realAgent}, installed by {@link #bootstrapAll}) or an in-process agent on its queue.
     */
    public SimulatedFleet openSshNode(
            String nodeId, io.groupai.fleet.nodes.ssh.testing.OpenSshServer sshd, int maxAccounts, boolean realAgent) {
        deployDirs.put(nodeId, sshd.deployDir());
        java.util.Map<String, Object> server = new java.util.HashMap<>(java.util.Map.of(
                "node_id", nodeId,
                "host", "127.0.0.1",
                "port", sshd.port(),
                "user", sshd.user(),
                "private_key", sshd.privateKeyPem(),
                "deploy_dir", sshd.deployDir().toString(),
                "max_accounts", maxAccounts));
        if (realAgent) {
            server.put("node_token", nodeId + "-token-0123456789abcdef");
        }
        Api.Response created = api.post(
                "/api/v1/group-ai/servers",
                tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(server));
        if (created.status() != 201) {
            throw new IllegalStateException("cannot register " + nodeId + ": " + created.body());
        }
        if (realAgent) {
            realAgents.add(nodeId);
        } else {
            InProcessNodeAgent a = new InProcessNodeAgent(nodeId, sshd.deployDir());
            agents.put(nodeId, a);
            workers.newWorker(TaskQueues.node(nodeId)).registerActivitiesImplementations(a);
        }
        return this;
    }

    /** Bootstraps every real-agent node and waits until each agent polls its queue. */
    public void bootstrapAll(java.time.Duration timeout) throws InterruptedException {
        for (String nodeId : realAgents) {
            Api.Response started = api.post("/api/v1/group-ai/servers/" + nodeId + "/bootstrap", "");
            if (started.status() != 202) {
                throw new IllegalStateException("cannot bootstrap " + nodeId + ": " + started.body());
            }
        }
        java.time.Instant deadline = java.time.Instant.now().plus(timeout);
        for (String nodeId : realAgents) {
            while (true) {
                tools.jackson.databind.JsonNode details = api.get("/api/v1/group-ai/workflows/bootstrap-" + nodeId)
                        .json();
                String status = details.get("status").asString();
                if (!"RUNNING".equals(status)) {
                    if (!"COMPLETED".equals(status)) {
                        throw new IllegalStateException(
                                "bootstrap of " + nodeId + " ended " + status + ": " + details.get("failure"));
                    }
                    break;
                }
                if (java.time.Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("bootstrap of " + nodeId + " did not finish within " + timeout);
                }
                Thread.sleep(250);
            }
        }
    }

    /**
     * Starts the in-process agents and probes every node once through the server-operation workflow
     * (STATUS), as an operator would: a server that has never answered a probe or sent a heartbeat
     * takes no accounts.
     */
    public SimulatedFleet start() throws InterruptedException {
        workers.start();
        for (String nodeId : deployDirs.keySet()) {
            Api.Response started = api.post("/api/v1/group-ai/servers/" + nodeId + "/actions/status", "");
            if (started.status() != 202) {
                throw new IllegalStateException("cannot probe " + nodeId + ": " + started.body());
            }
        }
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
        for (String nodeId : deployDirs.keySet()) {
            while (!"COMPLETED"
                    .equals(api.get("/api/v1/group-ai/workflows/server-op-" + nodeId)
                            .json()
                            .get("status")
                            .asString())) {
                if (java.time.Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the probe of " + nodeId + " did not finish within 60 s");
                }
                Thread.sleep(50);
            }
        }
        return this;
    }

    public InProcessNodeAgent agent(String nodeId) {
        return agents.get(nodeId);
    }

    public EmbeddedSshNode ssh(String nodeId) {
        return nodes.get(nodeId);
    }

    /** Registers accounts and stores a small session archive for each in the control plane's store. */
    public static void accounts(Api api, SessionStore store, List<String> ids, boolean withSession) throws IOException {
        for (String id : ids) {
            Api.Response r = api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"" + id + "\"}");
            if (r.status() != 201) {
                throw new IllegalStateException("cannot register account " + id + ": " + r.body());
            }
            if (withSession) {
                Path temp = store.newTempFile();
                try (OutputStream out = Files.newOutputStream(temp);
                        ZipOutputStream zip = new ZipOutputStream(out)) {
                    zip.putNextEntry(new ZipEntry("td.binlog"));
                    zip.write(("simulated tdlib database of " + id).getBytes());
                    zip.closeEntry();
                }
                store.store(id, temp);
            }
        }
    }

    /** Stops real agents through their pid files (SIGTERM, as the control plane does), then the nodes. */
    @Override
    public void close() {
        workers.shutdownNow();
        for (String nodeId : realAgents) {
            Path pidFile = deployDirs.get(nodeId).resolve("run/worker-node.pid");
            try {
                if (Files.exists(pidFile)) {
                    long pid = Long.parseLong(Files.readString(pidFile).trim());
                    ProcessHandle.of(pid).ifPresent(p -> {
                        p.destroy();
                        p.onExit()
                                .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                                .join();
                    });
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("could not stop the agent of " + nodeId + ": " + e);
            }
        }
        nodes.values().forEach(EmbeddedSshNode::close);
    }
}
