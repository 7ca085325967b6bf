package io.groupai.fleet.workflows.allocation;

import java.util.List;

/** Plan these accounts with a strategy, never on the excluded servers (those already tried). */
public record PlanRequest(String strategy, List<String> accountIds, List<String> excludedServerIds) {}
