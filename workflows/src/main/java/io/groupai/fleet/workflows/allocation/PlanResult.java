package io.groupai.fleet.workflows.allocation;

import java.util.List;

/** The planner's answer for a {@link PlanRequest}: every requested account is in exactly one list. */
public record PlanResult(String strategy, List<PlannedPlacement> placements, List<UnplacedAccount> unplaced) {}
