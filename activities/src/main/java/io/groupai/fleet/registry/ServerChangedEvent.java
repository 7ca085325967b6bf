package io.groupai.fleet.registry;

/** A server's definition, credentials or pinned host key changed, or it was removed. */
public record ServerChangedEvent(String nodeId) {}
