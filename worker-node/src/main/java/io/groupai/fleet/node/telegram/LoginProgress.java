package io.groupai.fleet.node.telegram;

import java.util.Objects;

/**
 * The login state reached after a step, with a human-readable detail (e.g. why a code was refused).
 * The detail never contains the submitted value: it is sent to the control plane and logged.
 */
public record LoginProgress(LoginState state, String detail) {

    public LoginProgress {
        Objects.requireNonNull(state, "state");
        detail = detail == null ? "" : detail;
    }
}
