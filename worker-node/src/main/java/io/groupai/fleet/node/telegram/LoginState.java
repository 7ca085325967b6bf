package io.groupai.fleet.node.telegram;

import java.util.Locale;

/**
 * Where an account's interactive login stands, as reported to the control plane
 * ({@code POST /api/v1/workers/{node}/logins/{account}/state}).
 */
public enum LoginState {
    WAITING_PHONE,
    WAITING_CODE,
    WAITING_PASSWORD,
    AUTHORIZED,
    FAILED;

    /** Wire name, e.g. {@code waiting_code}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
