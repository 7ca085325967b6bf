package io.groupai.fleet.node.telegram;

import java.util.Locale;
import java.util.Optional;

/** One interactive login step an operator answers on the control plane: phone → code → 2FA password. */
public enum LoginStep {
    PHONE,
    CODE,
    PASSWORD;

    /** Wire name: {@code phone}, {@code code}, {@code password}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LoginStep> fromWire(String value) {
        for (LoginStep s : values()) {
            if (s.wire().equals(value)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
