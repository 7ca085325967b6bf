package io.groupai.fleet.workflows.allocation;

/** The session archive as it now lies on the server (path and checksum only, never its content). */
public record UploadedSession(String accountId, String serverId, String remotePath, String sha256, long sizeBytes) {}
