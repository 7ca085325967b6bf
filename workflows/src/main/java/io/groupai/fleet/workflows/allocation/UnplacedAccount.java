package io.groupai.fleet.workflows.allocation;

/** An account the planner could not place, and why (e.g. "no capacity: all 3 eligible servers are full (15/15)"). */
public record UnplacedAccount(String accountId, String reason) {}
