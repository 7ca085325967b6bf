package io.groupai.fleet.alerts;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an alert is about. The wire name ({@link #wire()}, e.g. {@code server_down}) is what the API,
 * the database and the webhooks carry; add a constant here to add a kind.
 */
public enum AlertKind {
    SERVER_DOWN,
    ACCOUNT_DEAD,
    ALLOCATION_FAILED,
    MIGRATION_FAILED,
    DRIFT_FOUND,
    DISK_NEARLY_FULL;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code wire}, or an IllegalArgumentException that lists the kinds. */
    public static AlertKind fromWire(String wire) {
        for (AlertKind kind : values()) {
            if (kind.wire().equalsIgnoreCase(wire)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown alert kind '" + wire + "'; known kinds: " + known());
    }

    public static String known() {
        return Arrays.stream(values()).map(AlertKind::wire).collect(Collectors.joining(", "));
    }
}
