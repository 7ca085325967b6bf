package io.groupai.fleet.workflows.nodes;

/** The worker-node process of one server, as its pid file and {@code kill -0} (or its systemd unit) tell. */
public record ProcessState(String nodeId, boolean running, Long pid) {}
