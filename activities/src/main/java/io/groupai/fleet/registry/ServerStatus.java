package io.groupai.fleet.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Administrative state of a server. Only active servers receive new accounts. */
public enum ServerStatus {
    ACTIVE,
    DRAINING,
    DISABLED,
    DOWN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ServerStatus> fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(value)).findFirst();
    }
}
