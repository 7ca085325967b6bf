package io.groupai.fleet.registry;

/** A server was registered, its definition, credentials or pinned host key changed, or it was removed. */
public record ServerChangedEvent(String nodeId) {}
