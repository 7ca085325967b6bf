package io.groupai.fleet.app.temporal;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Temporal Schedules the app keeps in line with its configuration, e.g. in YAML:
 * <pre>
 * groupai.temporal.schedules:
 *   - id: status-worker-01
 *     every: 5m
 *     workflow-type: ServerOperationWorkflow
 *     input: {nodeId: worker-01, action: STATUS}
 * </pre>
 */
@Validated
@ConfigurationProperties("groupai.temporal")
public record TemporalSchedulesProperties(@Valid List<Definition> schedules) {

    public TemporalSchedulesProperties {
        schedules = schedules == null ? List.of() : List.copyOf(schedules);
    }

    /**
     * @param id           the schedule id; also the id prefix of the workflows it starts (Temporal appends the time)
     * @param every        interval between runs
     * @param workflowType e.g. ServerOperationWorkflow
     * @param taskQueue    blank: control-plane
     * @param input        the workflow's single argument, as JSON fields (ids only, never secrets)
     */
    public record Definition(
            @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]{1,200}", message = "letters, digits, '.', '_' and '-' only")
            String id,

            @NotNull Duration every,
            @NotBlank String workflowType,
            String taskQueue,
            Map<String, Object> input) {}
}
