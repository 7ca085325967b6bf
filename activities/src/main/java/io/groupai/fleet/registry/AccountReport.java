package io.groupai.fleet.registry;

import java.time.Instant;
import java.util.List;

/** One account as the node that runs it reports it; counters are the node's running totals. */
public record AccountReport(
        String accountId,
        String status,
        String scriptId,
        long messageCount,
        long replyCount,
        Instant lastActivity,
        String sessionFile,
        List<Long> groupIds) {}
