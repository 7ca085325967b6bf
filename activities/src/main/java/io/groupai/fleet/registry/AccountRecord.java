package io.groupai.fleet.registry;

import java.time.Instant;

/** A Telegram account as the registry knows it. {@code serverId} is null while unallocated. */
public record AccountRecord(
        String accountId,
        String sessionFile,
        String scriptId,
        String serverId,
        String status,
        String sourceNode,
        String location,
        long messageCount,
        long replyCount,
        Instant lastActivity,
        java.util.List<Long> groupIds,
        Instant lastReportAt,
        Instant createdAt,
        Instant updatedAt) {}
