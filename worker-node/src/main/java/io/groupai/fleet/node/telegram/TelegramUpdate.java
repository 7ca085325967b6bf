package io.groupai.fleet.node.telegram;

import java.time.Instant;

/**
 * One incoming event of an account's chats, the subset the dialogue layer needs.
 *
 * @param replyToMessageId the message this one answers (0: not a reply)
 * @param replyToUserId    the sender of that message, when the runtime knows it (0: not a reply, or a
 *                         message the runtime has not seen); the dialogue's {@code reply} trigger fires
 *                         when it is the account itself
 */
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
        Instant date,
        long replyToMessageId,
        long replyToUserId) {

    /** An update that answers no message. */
    public TelegramUpdate(
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
        this(accountId, updateId, type, chatId, chatTitle, messageId, fromUserId, fromFirstName, text, date, 0, 0);
    }

    public enum Type {
        NEW_MESSAGE,
        NEW_MEMBER
    }
}
