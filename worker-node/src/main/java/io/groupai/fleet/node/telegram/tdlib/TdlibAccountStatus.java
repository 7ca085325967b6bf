package io.groupai.fleet.node.telegram.tdlib;

/** What a node reports about one TDLib account. */
public enum TdlibAccountStatus {
    /** Client created, TDLib not yet asking for anything. */
    STARTING,
    WAITING_FOR_PHONE_NUMBER,
    WAITING_FOR_CODE,
    WAITING_FOR_PASSWORD,
    /** Some other login step (email, registration, QR confirmation) this node does not drive. */
    WAITING_FOR_OTHER,
    /** Authorized, but TDLib is (re)connecting or waiting for the network; it reconnects by itself. */
    CONNECTING,
    /** Authorized and connected. */
    READY,
    CLOSING,
    /** Closed on request. */
    CLOSED,
    /** Telegram ended the session without us asking (logged out from elsewhere); log in again. */
    LOGGED_OUT,
    /** The auth key was used from two places at once; Telegram revoked it. */
    AUTH_KEY_DUPLICATED,
    SESSION_REVOKED,
    USER_DEACTIVATED,
    /** TDLib refused to start this client (bad parameters, unusable database directory). */
    FAILED;

    /** A status retries cannot fix: the account needs an operator (new login or a new account). */
    public boolean needsOperator() {
        return this == AUTH_KEY_DUPLICATED
                || this == SESSION_REVOKED
                || this == USER_DEACTIVATED
                || this == LOGGED_OUT
                || this == FAILED;
    }
}
