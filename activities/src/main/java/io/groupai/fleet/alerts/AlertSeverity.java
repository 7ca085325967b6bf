package io.groupai.fleet.alerts;

import java.util.Locale;

/** How urgent an alert is; its wire name is lower case ({@code critical}). */
public enum AlertSeverity {
    INFO,
    WARNING,
    CRITICAL;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AlertSeverity fromWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
