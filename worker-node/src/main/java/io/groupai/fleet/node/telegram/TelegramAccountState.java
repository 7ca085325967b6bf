package io.groupai.fleet.node.telegram;

/**
 * States of an account's client. {@link #status()} is the wire name used by
 * {@code AccountRuntimeState.status} and the heartbeat.
 */
public enum TelegramAccountState {
    STARTING,
    ONLINE,
    /** Connection lost; the runtime keeps reconnecting. */
    OFFLINE,
    /** The database directory holds no authorized session: log in through the admin page. */
    WAITING_LOGIN,
    /** Telegram asked to wait; the runtime waits (bounded) before trying again. */
    FLOOD_WAIT,
    /** The key was used from two places at once; Telegram revoked it. Terminal: log in again. */
    AUTH_KEY_DUPLICATED,
    /** Terminated from another device. Terminal: log in again. */
    SESSION_REVOKED,
    /** The account is banned or deleted. Terminal. */
    USER_DEACTIVATED,
    STOPPED,
    ERROR;

    public String status() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** States from which only an operator (new login) can recover; never retried automatically. */
    public boolean isTerminal() {
        return this == AUTH_KEY_DUPLICATED || this == SESSION_REVOKED || this == USER_DEACTIVATED;
    }
}
