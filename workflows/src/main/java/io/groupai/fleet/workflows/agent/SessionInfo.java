package io.groupai.fleet.workflows.agent;

/** What the node found in an installed session: its format and, when readable, dc and user id. */
public record SessionInfo(String accountId, String format, Integer dcId, Long userId, long sizeBytes, String sha256) {}
