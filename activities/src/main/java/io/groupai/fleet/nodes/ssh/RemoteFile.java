package io.groupai.fleet.nodes.ssh;

/** A file on a server after a verified transfer: absolute path, hex SHA-256, size in bytes. */
public record RemoteFile(String path, String sha256, long size) {}
