package io.groupai.fleet.allocation.planner;

/** An account the plan could not place, with the reason an operator should read. */
public record Unplaced(String accountId, String reason) {}
