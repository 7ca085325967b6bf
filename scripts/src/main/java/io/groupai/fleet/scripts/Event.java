package io.groupai.fleet.scripts;

/**
 * What happened in a group, as the engine sees it. {@code mentionsMe} / {@code replyToMe} are
 * decided by the caller (it knows the account's username and message ids).
 */
public record Event(
        Type type,
        long chatId,
        String chatTitle,
        long fromUserId,
        String firstName,
        String lastName,
        String username,
        String text,
        boolean mentionsMe,
        boolean replyToMe) {

    public enum Type {
        MESSAGE,
        NEW_MEMBER
    }

    public static Event message(long chatId, String chatTitle, long fromUserId, String firstName, String text) {
        return new Event(Type.MESSAGE, chatId, chatTitle, fromUserId, firstName, null, null, text, false, false);
    }

    public static Event newMember(long chatId, String chatTitle, long userId, String firstName) {
        return new Event(Type.NEW_MEMBER, chatId, chatTitle, userId, firstName, null, null, null, false, false);
    }
}
