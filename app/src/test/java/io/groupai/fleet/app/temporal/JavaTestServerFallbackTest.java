package io.groupai.fleet.app.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.workflows.SearchAttributeKeys;
import io.temporal.client.WorkflowClient;
import io.temporal.common.SearchAttributes;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Without the temporal CLI the app runs on Temporal's Java test server, as before: no Schedules
 * (said in the log, nothing fails), and our search attributes registered and set all the same.
 */
@FleetIntegrationTest
class JavaTestServerFallbackTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    EmbeddedTemporal server;

    @Autowired
    TemporalSchedules schedules;

    @Autowired
    WorkflowClient client;

    @BeforeEach
    void clean() {
        DatabaseCleaner.clean(jdbc);
    }

    @Test
    void runsOnTheJavaTestServerWithoutSchedulesAndWithSearchAttributes() {
        assertThat(server).isInstanceOf(EmbeddedTemporalServer.class);
        assertThat(server.uiUrl()).isEmpty();
        assertThat(schedules.outcome()).isEqualTo(new TemporalSchedules.Outcome(false, List.of(), List.of()));

        Api api = new Api(port);
        api.post("/api/v1/group-ai/servers", """
                {"node_id": "fallback-1", "host": "127.0.0.1", "port": 1, "user": "fleet", "deploy_dir": "/srv/fb", "max_accounts": 1}""");
        assertThat(api.post("/api/v1/group-ai/servers/fallback-1/actions/status", "")
                        .status())
                .isEqualTo(202);

        var described = client.newUntypedWorkflowStub("server-op-fallback-1").describe();
        SearchAttributes attributes = described.getTypedSearchAttributes();
        // The memo the Temporal UI shows: what it does to what, and who started it.
        assertThat(described.getMemo(WorkflowMemo.SUMMARY, String.class))
                .isEqualTo("status server:fallback-1 — started by " + Api.TEST_ADMIN_USERNAME + " over the REST API");
        assertThat(attributes.get(SearchAttributeKeys.NODE_ID)).containsExactly("fallback-1");
        assertThat(attributes.get(SearchAttributeKeys.OPERATION)).isEqualTo("status");
    }
}
