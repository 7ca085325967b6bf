package io.groupai.fleet.app.workflows;

import io.groupai.fleet.app.temporal.TemporalServerInfo;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/group-ai/temporal}: which Temporal server the app uses and, when one is known,
 * its Web UI, so the admin pages can link a workflow into it ({@code ui_url + /namespaces/<ns>/workflows/<id>}).
 * The embedded dev server's UI is known; for an external cluster set {@code GROUPAI_TEMPORAL_UI_URL}.
 */
@RestController
class TemporalInfoController {

    record TemporalInfo(String description, String target, String namespace, String uiUrl) {}

    private final TemporalServerInfo server;
    private final String configuredUi;

    TemporalInfoController(
            TemporalServerInfo server, @Value("${groupai.temporal.ui-url:${GROUPAI_TEMPORAL_UI_URL:}}") String ui) {
        this.server = server;
        this.configuredUi = ui == null || ui.isBlank() ? null : ui.replaceAll("/+$", "");
    }

    @GetMapping("/api/v1/group-ai/temporal")
    TemporalInfo info() {
        return new TemporalInfo(
                server.description(),
                server.target(),
                server.namespace(),
                configuredUi != null ? configuredUi : server.uiUrl().orElse(null));
    }
}
