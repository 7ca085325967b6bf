package io.groupai.fleet.workflows.nodes;

/** A file the control plane put on a node: where, how big, its SHA-256. */
public record InstalledFile(String remotePath, long sizeBytes, String sha256) {}
