package io.groupai.fleet.registry;

/** Listing filter; null fields match everything. {@code unallocated} selects accounts without a server. */
public record AccountFilter(String serverId, String status, Boolean unallocated) {}
