package io.groupai.fleet.workflows.agent;

/**
 * An account as its node runs it. {@code status} is one of starting, online, offline, stopped,
 * waiting_login, flood_wait, auth_key_duplicated, session_revoked, user_deactivated, error.
 */
public record AccountRuntimeState(String accountId, String status, String scriptId, String detail) {}
