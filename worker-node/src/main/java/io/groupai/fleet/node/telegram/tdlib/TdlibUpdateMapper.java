package io.groupai.fleet.node.telegram.tdlib;

import com.fasterxml.jackson.databind.JsonNode;
import io.groupai.fleet.node.telegram.TelegramUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns one account's TDLib updates into {@link TelegramUpdate}s: {@code updateNewMessage} with text →
 * NEW_MESSAGE; a message announcing members ({@code messageChatAddMembers}: one NEW_MEMBER per added user,
 * {@code messageChatJoinByLink} / {@code messageChatJoinByRequest}: the sender) → NEW_MEMBER. TDLib's
 * messages carry ids only, so chat titles and first names are remembered from the {@code updateNewChat},
 * {@code updateChatTitle} and {@code updateUser} that TDLib always sends before it refers to them.
 * TDLib has no update ids; a per-account counter numbers them.
 *
 * <p>A reply ({@code reply_to} of type {@code messageReplyToMessage}, or the older {@code reply_to_message_id})
 * names only the message it answers. What the dialogue needs is whether that message is the account's own, so
 * only the account's own messages are remembered ({@code is_outgoing}, under their final id from
 * {@code updateMessageSendSucceeded}), the last {@value #SENDERS_KEPT} of them (~200 KB): a reply to one of
 * them names the account as the sender; to any other message, the sender is unknown (0).
 */
final class TdlibUpdateMapper {

    private final String accountId;
    private final AtomicLong ids = new AtomicLong(1);
    private final Map<Long, String> chatTitles = new ConcurrentHashMap<>();
    private final Map<Long, String> firstNames = new ConcurrentHashMap<>();

    static final int SENDERS_KEPT = 2_000;
    /** (chat id, message id) → sender user id of the account's own recent messages, oldest evicted first. */
    private final Map<MessageKey, Long> senders =
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<MessageKey, Long> eldest) {
                    return size() > SENDERS_KEPT;
                }
            });

    private record MessageKey(long chatId, long messageId) {}

    TdlibUpdateMapper(String accountId) {
        this.accountId = accountId;
    }

    /** The updates the dialogue layer cares about; empty for everything else. */
    List<TelegramUpdate> map(JsonNode update) {
        switch (update.path("@type").asText()) {
            case "updateNewChat" -> {
                JsonNode chat = update.path("chat");
                chatTitles.put(chat.path("id").asLong(), chat.path("title").asText(""));
                return List.of();
            }
            case "updateChatTitle" -> {
                chatTitles.put(
                        update.path("chat_id").asLong(), update.path("title").asText(""));
                return List.of();
            }
            case "updateUser" -> {
                JsonNode user = update.path("user");
                firstNames.put(user.path("id").asLong(), user.path("first_name").asText(""));
                return List.of();
            }
            case "updateNewMessage" -> {
                return fromMessage(update.path("message"));
            }
            case "updateMessageSendSucceeded" -> {
                remember(update.path("message")); // our own message under its final id
                return List.of();
            }
            default -> {
                return List.of();
            }
        }
    }

    private void remember(JsonNode message) {
        long sender = senderUserId(message.path("sender_id"));
        if (sender != 0 && message.path("is_outgoing").asBoolean(false)) {
            senders.put(
                    new MessageKey(
                            message.path("chat_id").asLong(), message.path("id").asLong()),
                    sender);
        }
    }

    private List<TelegramUpdate> fromMessage(JsonNode message) {
        if (message.path("is_outgoing").asBoolean(false)) {
            remember(message);
            return List.of(); // the account's own message (also those sent from its other devices)
        }
        long chatId = message.path("chat_id").asLong();
        long messageId = message.path("id").asLong();
        long senderId = senderUserId(message.path("sender_id"));
        Instant date =
                Instant.ofEpochSecond(message.path("date").asLong(Instant.now().getEpochSecond()));
        JsonNode content = message.path("content");
        long replyTo = replyToMessageId(message, chatId);
        long replyToUser = 0;
        if (replyTo != 0) {
            Long sender = senders.get(new MessageKey(chatId, replyTo));
            replyToUser = sender == null ? 0 : sender;
        }
        List<TelegramUpdate> out = new ArrayList<>();
        switch (content.path("@type").asText()) {
            case "messageText" ->
                out.add(update(
                        TelegramUpdate.Type.NEW_MESSAGE,
                        chatId,
                        messageId,
                        senderId,
                        content.path("text").path("text").asText(""),
                        date,
                        replyTo,
                        replyToUser));
            case "messageChatAddMembers" -> {
                for (JsonNode member : content.path("member_user_ids")) {
                    out.add(update(
                            TelegramUpdate.Type.NEW_MEMBER, chatId, messageId, member.asLong(), null, date, 0, 0));
                }
            }
            case "messageChatJoinByLink", "messageChatJoinByRequest" ->
                out.add(update(TelegramUpdate.Type.NEW_MEMBER, chatId, messageId, senderId, null, date, 0, 0));
            default -> {
                // Photos, stickers, service messages...: the dialogue scripts answer text only.
            }
        }
        return out;
    }

    /** The id of the message of the same chat this one answers, 0 when none (or a reply to another chat's). */
    private static long replyToMessageId(JsonNode message, long chatId) {
        JsonNode replyTo = message.path("reply_to");
        if ("messageReplyToMessage".equals(replyTo.path("@type").asText())) {
            long inChat = replyTo.path("chat_id").asLong(chatId);
            return inChat == chatId ? replyTo.path("message_id").asLong(0) : 0;
        }
        return message.path("reply_to_message_id").asLong(0); // TDLib before 1.8.21
    }

    private TelegramUpdate update(
            TelegramUpdate.Type type,
            long chatId,
            long messageId,
            long userId,
            String text,
            Instant date,
            long replyToMessageId,
            long replyToUserId) {
        return new TelegramUpdate(
                accountId,
                ids.getAndIncrement(),
                type,
                chatId,
                chatTitles.get(chatId),
                messageId,
                userId,
                firstNames.get(userId),
                text,
                date,
                replyToMessageId,
                replyToUserId);
    }

    /** messageSenderUser → its user id; a message sent on behalf of a chat → 0 (no person to greet). */
    private static long senderUserId(JsonNode sender) {
        return "messageSenderUser".equals(sender.path("@type").asText())
                ? sender.path("user_id").asLong()
                : 0L;
    }
}
