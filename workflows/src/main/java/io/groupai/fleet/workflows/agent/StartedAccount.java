package io.groupai.fleet.workflows.agent;

/** One account of {@link NodeAgentActivities#startAccounts}: its state after the start, or why it did not start. */
public record StartedAccount(String accountId, AccountRuntimeState state, String failure) {}
