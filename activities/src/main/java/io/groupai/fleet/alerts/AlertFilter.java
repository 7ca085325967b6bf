package io.groupai.fleet.alerts;

/** What to list: null fields do not filter. */
public record AlertFilter(Boolean open, AlertKind kind, String serverId, String accountId) {

    public static AlertFilter all() {
        return new AlertFilter(null, null, null, null);
    }
}
