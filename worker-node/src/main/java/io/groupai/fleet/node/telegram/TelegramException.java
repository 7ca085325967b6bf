package io.groupai.fleet.node.telegram;

import java.time.Duration;

/** Telegram (or the simulated network) refused or could not carry out a call. */
public class TelegramException extends Exception {

    public enum Kind {
        /** Telegram asked us to wait {@link #retryAfter()}; retrying earlier makes it worse. */
        FLOOD_WAIT,
        /** The account's authorization is gone (revoked, duplicated, deactivated): do not retry. */
        AUTH,
        /** The account has no client on this node. */
        NOT_RUNNING,
        /** Transient: network, timeout, server error. Retrying may help. */
        NETWORK,
        /** The request itself was refused (bad chat, message too long...): retrying cannot help. */
        REJECTED
    }

    private final Kind kind;
    private final Duration retryAfter;
    private final TelegramAccountState state;

    public TelegramException(
            Kind kind, String message, Duration retryAfter, TelegramAccountState state, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryAfter = retryAfter;
        this.state = state;
    }

    public TelegramException(Kind kind, String message) {
        this(kind, message, null, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** Only for {@link Kind#FLOOD_WAIT}. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** For {@link Kind#AUTH}: which terminal state the account is in. */
    public TelegramAccountState state() {
        return state;
    }

    public boolean retryable() {
        return kind == Kind.FLOOD_WAIT || kind == Kind.NETWORK;
    }
}
