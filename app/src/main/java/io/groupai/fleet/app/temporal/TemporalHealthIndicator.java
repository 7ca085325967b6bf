package io.groupai.fleet.app.temporal;

import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** /actuator/health shows whether the Temporal frontend answers, and which one it is. */
@Component("temporal")
class TemporalHealthIndicator implements HealthIndicator {

    private final WorkflowServiceStubs stubs;
    private final TemporalServerInfo server;

    TemporalHealthIndicator(WorkflowServiceStubs stubs, TemporalServerInfo server) {
        this.stubs = stubs;
        this.server = server;
    }

    @Override
    public Health health() {
        String target = stubs.getOptions().getTarget();
        try {
            stubs.blockingStub()
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
            Health.Builder up = Health.up().withDetail("target", target).withDetail("server", server.description());
            server.uiUrl().ifPresent(ui -> up.withDetail("ui", ui));
            return up.build();
        } catch (RuntimeException e) {
            return Health.down()
                    .withDetail("target", target)
                    .withDetail("error", e.getMessage())
                    .build();
        }
    }
}
