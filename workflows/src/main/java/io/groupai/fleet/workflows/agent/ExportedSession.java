package io.groupai.fleet.workflows.agent;

/** A packed session ready for download: its absolute remote path and checksum. */
public record ExportedSession(String accountId, String remotePath, long sizeBytes, String sha256) {}
