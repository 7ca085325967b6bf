package io.groupai.fleet.node.telegram;

/**
 * Receives what a {@link TelegramRuntime} learns asynchronously about one account. Called from the
 * runtime's receive thread(s): implementations must not block for long.
 */
public interface TelegramListener {

    /** A new message or member in one of the account's chats. */
    void onUpdate(TelegramUpdate update);

    /** The client changed state, e.g. went offline, hit FLOOD_WAIT or had its key revoked. */
    void onState(String accountId, TelegramAccountState state, String detail);

    /** The client is logged in as {@code me} (used e.g. to ignore the account's own messages). */
    default void onAuthorized(String accountId, TelegramUser me) {}
}
