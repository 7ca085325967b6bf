package io.groupai.fleet.node.telegram;

import java.nio.file.Path;

/**
 * The node's connection to Telegram: one client per running account. Two implementations:
 * {@link SimulatedTelegramRuntime} (the control plane's SIMULATED network, for the demo and tests)
 * and {@code TdlibTelegramRuntime} (TDLib's JSON interface).
 *
 * <p>The shape follows what TDLib needs: a client is created quickly and then moves through
 * states on its own (authorization, connection, FLOOD_WAIT, revoked keys), reported
 * asynchronously through the {@link TelegramListener} together with incoming updates. Calls that
 * Telegram can refuse throw {@link TelegramException} carrying the reason, so callers can wait a
 * FLOOD_WAIT out or mark the account instead of retrying forever.
 *
 * <p>Implementations are thread-safe. Account ids are already validated path-safe names.
 */
public interface TelegramRuntime extends AutoCloseable {

    /** {@code simulated} or {@code tdlib}; reported by ping. */
    String name();

    /**
     * Creates the account's client over its TDLib database directory (may not exist yet: then
     * the account needs a login, state {@link TelegramAccountState#WAITING_LOGIN}) and begins
     * receiving updates into {@code listener}. Returns the state reached when the call returns;
     * later changes arrive through {@link TelegramListener#onState}. Starting a started account
     * returns its current state and keeps its listener.
     *
     * @param databaseKey the account's TDLib {@code database_encryption_key} (base64), fetched from the control
     *                    plane; required, a secret: implementations never log it nor put it into a message
     */
    TelegramAccountState start(String accountId, Path databaseDirectory, String databaseKey, TelegramListener listener)
            throws TelegramException;

    /** Refuses a start without the account's database key (REJECTED: a retry cannot bring one). */
    static void requireDatabaseKey(String accountId, String databaseKey) throws TelegramException {
        if (databaseKey == null || databaseKey.isBlank()) {
            throw new TelegramException(
                    TelegramException.Kind.REJECTED,
                    "account " + accountId + " has no database encryption key from the control plane;"
                            + " its session is never opened without one");
        }
    }

    /** Closes the account's client and waits (bounded) until it is closed. No-op when not started. */
    void stop(String accountId);

    /** Sends a text message as the account; returns the message id Telegram assigned. */
    long sendMessage(String accountId, long chatId, String text) throws TelegramException;

    /**
     * Hands one interactive login step to the account's client and waits (bounded) for the login state
     * that follows. A value Telegram refuses (wrong code) or a FLOOD_WAIT is not an exception: the state
     * stays where it was and the detail says why, so the operator can answer again. The value is a
     * secret: implementations never log it nor put it into a detail or exception message.
     *
     * @throws TelegramException when the step could not be carried out at all (client not started,
     *                           network, revoked authorization)
     */
    default LoginProgress submitLogin(String accountId, LoginStep step, String value) throws TelegramException {
        throw new TelegramException(
                TelegramException.Kind.REJECTED, "the " + name() + " runtime cannot log accounts in");
    }

    /** Stops every client and releases the runtime (receive threads, native handles). */
    @Override
    void close();
}
