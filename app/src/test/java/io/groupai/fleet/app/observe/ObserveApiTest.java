package io.groupai.fleet.app.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.alerts.AlertKind;
import io.groupai.fleet.alerts.AlertService;
import io.groupai.fleet.alerts.AlertSeverity;
import io.groupai.fleet.alerts.DiskAlerts;
import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.sessions.SessionStore;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Alerts and metrics through the real port: an allocation that fails raises allocation_failed
 * naming account, server and step; the outcome counters on /actuator/prometheus rise; the fleet
 * gauges and Temporal's own worker metrics are there.
 */
@FleetIntegrationTest
class ObserveApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @Autowired
    SessionStore sessions;

    @Autowired
    WorkflowOutcomeWatcher watcher;

    @Autowired
    FleetMetrics fleetMetrics;

    @Autowired
    AlertService alerts;

    @Autowired
    DiskAlerts diskAlerts;

    @TempDir
    Path dir;

    Api api;
    SimulatedFleet fleet;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        fleet = new SimulatedFleet(api, client, dir);
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    @Test
    void aFailedAllocationRaisesAnAlertAndTheOutcomeCountersRise() throws Exception {
        double successBefore = metric("groupai_allocation_accounts_total", "outcome=\"success\"");
        double failureBefore = metric("groupai_allocation_accounts_total", "outcome=\"failure\"");

        fleet.node("obs-a", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("639277356701"), true);
        Api.Response ok = api.post("/api/v1/group-ai/accounts/allocate", "{\"account_id\": \"639277356701\"}");
        assertThat(ok.json().get("success").asBoolean()).as(ok.body()).isTrue();
        // Registered on the fly, but no session was ever uploaded: fails at upload-session.
        Api.Response failed = api.post("/api/v1/group-ai/accounts/allocate", "{\"account_id\": \"639277356702\"}");
        assertThat(failed.json().get("success").asBoolean()).as(failed.body()).isFalse();

        awaitOutcomes(2);

        Api.Response open = api.get("/api/v1/group-ai/alerts?open=true&kind=allocation_failed");
        assertThat(open.status()).as(open.body()).isEqualTo(200);
        JsonNode items = open.json().get("items");
        assertThat(items).hasSize(1);
        JsonNode alert = items.get(0);
        assertThat(alert.get("kind").asString()).isEqualTo("allocation_failed");
        assertThat(alert.get("account_id").asString()).isEqualTo("639277356702");
        assertThat(alert.get("server_id").asString()).isEqualTo("obs-a");
        assertThat(alert.get("message").asString())
                .contains("account 639277356702", "server obs-a", "step upload-session", "account-639277356702");
        assertThat(alert.get("open").asBoolean()).isTrue();

        // Filters: another server has none; the server filter finds it.
        assertThat(api.get("/api/v1/group-ai/alerts?server_id=nowhere")
                        .json()
                        .get("total")
                        .asLong())
                .isZero();
        assertThat(api.get("/api/v1/group-ai/alerts?server_id=obs-a")
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(1);

        String prometheus = scrape();
        assertThat(metric(prometheus, "groupai_allocation_accounts_total", "outcome=\"success\""))
                .isEqualTo(successBefore + 1);
        assertThat(metric(prometheus, "groupai_allocation_accounts_total", "outcome=\"failure\""))
                .isEqualTo(failureBefore + 1);
        assertThat(prometheus).contains("groupai_allocation_latency_seconds_count{");

        // An operator resolves it: closed, and out of the open list.
        long id = alert.get("id").asLong();
        Api.Response resolved = api.post(
                "/api/v1/group-ai/alerts/" + id + "/resolve", "{\"resolution\": \"session uploaded, retrying\"}");
        assertThat(resolved.status()).as(resolved.body()).isEqualTo(200);
        assertThat(resolved.json().get("open").asBoolean()).isFalse();
        assertThat(resolved.json().get("resolution").asString()).isEqualTo("session uploaded, retrying");
        assertThat(api.get("/api/v1/group-ai/alerts?open=true")
                        .json()
                        .get("total")
                        .asLong())
                .isZero();
    }

    @Test
    void fleetGaugesFollowTheDatabase() throws Exception {
        fleet.node("obs-g", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("639277356711", "639277356712"), true);
        fleetMetrics.refresh();
        String before = scrape();
        assertThat(metric(before, "groupai_accounts_placement", "state=\"unassigned\""))
                .isEqualTo(2);
        assertThat(metric(before, "groupai_accounts_placement", "state=\"allocated\""))
                .isZero();

        Api.Response ok = api.post("/api/v1/group-ai/accounts/allocate", "{\"account_id\": \"639277356711\"}");
        assertThat(ok.json().get("success").asBoolean()).as(ok.body()).isTrue();
        fleetMetrics.refresh();
        String after = scrape();
        assertThat(metric(after, "groupai_accounts_placement", "state=\"allocated\""))
                .isEqualTo(1);
        assertThat(metric(after, "groupai_accounts_placement", "state=\"unassigned\""))
                .isEqualTo(1);
        assertThat(metric(after, "groupai_server_accounts", "server=\"obs-g\"")).isEqualTo(1);
        assertThat(metric(after, "groupai_accounts", "status=\"online\"")).isEqualTo(1);
        assertThat(metric(after, "groupai_accounts_online_ratio", "")).isEqualTo(1.0);
        // Temporal's worker and client metrics, through the SDK's Micrometer reporter.
        assertThat(after).contains("temporal_").contains("jvm_memory_used_bytes");
    }

    @Test
    void aNearlyFullDiskRaisesOneAlertAndAFreedDiskResolvesIt() {
        diskAlerts.measured("obs-disk", 93.5);
        diskAlerts.measured("obs-disk", 94.0);
        JsonNode open = api.get("/api/v1/group-ai/alerts?open=true&kind=disk_nearly_full")
                .json()
                .get("items");
        assertThat(open).hasSize(1);
        assertThat(open.get(0).get("occurrences").asInt()).isEqualTo(2);
        assertThat(open.get(0).get("message").asString()).contains("obs-disk", "94.0%");
        assertThat(open.get(0).get("severity").asString()).isEqualTo("warning");

        diskAlerts.measured("obs-disk", 41);
        assertThat(api.get("/api/v1/group-ai/alerts?open=true")
                        .json()
                        .get("total")
                        .asLong())
                .isZero();
        assertThat(api.get("/api/v1/group-ai/alerts?open=false&kind=disk_nearly_full")
                        .json()
                        .get("items")
                        .get(0)
                        .get("resolution")
                        .asString())
                .contains("41.0%");
    }

    @Test
    void badFiltersAreRefusedAndAnUnknownAlertIs404() {
        alerts.raise(AlertKind.DRIFT_FOUND, AlertSeverity.INFO, "obs-x", null, "drift");
        Api.Response badKind = api.get("/api/v1/group-ai/alerts?kind=cpu_hot");
        assertThat(badKind.status()).isEqualTo(400);
        assertThat(badKind.contentType()).contains("application/problem+json");
        assertThat(badKind.body()).contains("cpu_hot", "server_down");
        assertThat(api.get("/api/v1/group-ai/alerts?size=0").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/group-ai/alerts/999999").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/group-ai/alerts?kind=drift_found")
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(1);
    }

    private void awaitOutcomes(int runs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            watcher.checkOnce();
            long recorded = jdbc.sql("SELECT COUNT(*) FROM workflow_runs WHERE outcome_recorded_at IS NOT NULL")
                    .query(Long.class)
                    .single();
            if (recorded >= runs) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the outcome watcher did not record " + runs + " runs in 30 s");
    }

    private String scrape() {
        Api.Response r = api.get("/actuator/prometheus");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private double metric(String name, String labels) {
        return metric(scrape(), name, labels);
    }

    /** The value of the sample {@code name{...labels...}} (0 when absent). */
    static double metric(String text, String name, String labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(text);
        while (m.find()) {
            String tags = m.group(1) == null ? "" : m.group(1);
            if (labels.isEmpty() || tags.contains(labels)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}
