package io.groupai.fleet.workflows.supervision;

/**
 * One entry of a server's health history: a failed or recovered check, a state change.
 *
 * @param at     ISO-8601 (workflow time)
 * @param state  the state after the event: unknown, up, suspect, down
 * @param event  supervised (first valid lease seen), check_failed, recovered (from suspect), marked_down,
 *               marked_up (from down), probe_failed, failover_started, failover_not_started
 * @param detail what was seen, naming the server (lease, SSH, ping)
 */
public record HealthEvent(String at, String state, String event, String detail) {}
