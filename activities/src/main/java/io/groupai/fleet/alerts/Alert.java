package io.groupai.fleet.alerts;

import java.time.Instant;

/**
 * One alert. While open, raising the same kind for the same server and account again counts
 * {@code occurrences} up and refreshes {@code message} and {@code lastRaisedAt} instead of adding a row.
 */
public record Alert(
        long id,
        AlertKind kind,
        AlertSeverity severity,
        String serverId,
        String accountId,
        String message,
        boolean open,
        int occurrences,
        Instant firstRaisedAt,
        Instant lastRaisedAt,
        Instant resolvedAt,
        String resolution) {}
