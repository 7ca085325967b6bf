package io.groupai.fleet.workflows.agent;

/** The agent's answer to a ping: who it is and what it runs. */
public record NodePing(String nodeId, String agentVersion, String telegramRuntime, int accountsRunning, long pid) {}
