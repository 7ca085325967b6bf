package io.groupai.fleet.node.telegram;

import java.time.Instant;

/** One incoming event of an account's chats, the subset the dialogue layer needs. */
public record TelegramUpdate(
        String accountId,
        long updateId,
        Type type,
        long chatId,
        String chatTitle,
        long messageId,
        long fromUserId,
        String fromFirstName,
        String text,
        Instant date) {

    public enum Type {
        NEW_MESSAGE,
        NEW_MEMBER
    }
}
