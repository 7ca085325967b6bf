package io.groupai.fleet.workflows.reconcile;

/** An account and the server it is assigned to, asked about when that server is in another page of the run. */
public record AssignedServer(String accountId, String serverId) {}
