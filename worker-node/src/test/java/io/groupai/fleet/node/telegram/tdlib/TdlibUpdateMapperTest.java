package io.groupai.fleet.node.telegram.tdlib;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.node.telegram.TelegramUpdate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TDLib update samples (shapes as in TDLib 1.8 td_api.tl) mapped to the runtime interface's updates. */
class TdlibUpdateMapperTest {

    private final TdlibUpdateMapper mapper = new TdlibUpdateMapper("acc-1");

    private List<TelegramUpdate> map(String json) {
        return mapper.map(TdlibClientManager.read(json));
    }

    private void learnChatAndUser() {
        assertThat(map("""
                {"@type":"updateNewChat","chat":{"@type":"chat","id":-1001234,"title":"Berlin Runners","type":{"@type":"chatTypeSupergroup","supergroup_id":1234,"is_channel":false}}}""")).isEmpty();
        assertThat(map("""
                {"@type":"updateUser","user":{"@type":"user","id":42,"first_name":"Mia","last_name":"K","usernames":{"active_usernames":["mia"]}}}""")).isEmpty();
    }

    @Test
    void aTextMessageIsANewMessageWithChatTitleAndSenderName() {
        learnChatAndUser();
        List<TelegramUpdate> updates = map("""
                {"@type":"updateNewMessage","message":{"@type":"message","id":2097152,"chat_id":-1001234,
                 "sender_id":{"@type":"messageSenderUser","user_id":42},"is_outgoing":false,"date":1764000000,
                 "content":{"@type":"messageText","text":{"@type":"formattedText","text":"hi all","entities":[]}}},
                 "@client_id":3}""");
        assertThat(updates).hasSize(1);
        TelegramUpdate u = updates.getFirst();
        assertThat(u.accountId()).isEqualTo("acc-1");
        assertThat(u.type()).isEqualTo(TelegramUpdate.Type.NEW_MESSAGE);
        assertThat(u.chatId()).isEqualTo(-1001234);
        assertThat(u.chatTitle()).isEqualTo("Berlin Runners");
        assertThat(u.messageId()).isEqualTo(2097152);
        assertThat(u.fromUserId()).isEqualTo(42);
        assertThat(u.fromFirstName()).isEqualTo("Mia");
        assertThat(u.text()).isEqualTo("hi all");
        assertThat(u.date()).isEqualTo(Instant.ofEpochSecond(1764000000));
    }

    @Test
    void addedMembersAreOneNewMemberEachAndAJoinByLinkIsItsSender() {
        learnChatAndUser();
        List<TelegramUpdate> added = map("""
                {"@type":"updateNewMessage","message":{"@type":"message","id":10,"chat_id":-1001234,
                 "sender_id":{"@type":"messageSenderUser","user_id":7},"date":1764000001,
                 "content":{"@type":"messageChatAddMembers","member_user_ids":[42,43]}}}""");
        assertThat(added).extracting(TelegramUpdate::type).containsOnly(TelegramUpdate.Type.NEW_MEMBER);
        assertThat(added).extracting(TelegramUpdate::fromUserId).containsExactly(42L, 43L);
        assertThat(added.getFirst().fromFirstName()).isEqualTo("Mia");
        assertThat(added.getFirst().chatTitle()).isEqualTo("Berlin Runners");

        List<TelegramUpdate> joined = map("""
                {"@type":"updateNewMessage","message":{"@type":"message","id":11,"chat_id":-1001234,
                 "sender_id":{"@type":"messageSenderUser","user_id":42},"date":1764000002,
                 "content":{"@type":"messageChatJoinByLink"}}}""");
        assertThat(joined).singleElement().satisfies(u -> {
            assertThat(u.type()).isEqualTo(TelegramUpdate.Type.NEW_MEMBER);
            assertThat(u.fromUserId()).isEqualTo(42);
            assertThat(u.text()).isNull();
        });
        // Update ids are a per-account sequence.
        assertThat(joined.getFirst().updateId()).isGreaterThan(added.getLast().updateId());
    }

    @Test
    void titleChangesAreFollowedAndIrrelevantUpdatesIgnored() {
        learnChatAndUser();
        map("""
                {"@type":"updateChatTitle","chat_id":-1001234,"title":"Berlin Runners 2026"}""");
        List<TelegramUpdate> u = map("""
                {"@type":"updateNewMessage","message":{"id":12,"chat_id":-1001234,"sender_id":{"@type":"messageSenderUser","user_id":42},
                 "date":1764000003,"content":{"@type":"messageText","text":{"text":"again"}}}}""");
        assertThat(u.getFirst().chatTitle()).isEqualTo("Berlin Runners 2026");

        assertThat(map("""
                {"@type":"updateNewMessage","message":{"id":13,"chat_id":-1001234,"is_outgoing":true,
                 "sender_id":{"@type":"messageSenderUser","user_id":1},"date":1764000004,"content":{"@type":"messageText","text":{"text":"mine"}}}}""")).as("own messages").isEmpty();
        assertThat(map("""
                {"@type":"updateNewMessage","message":{"id":14,"chat_id":-1001234,"sender_id":{"@type":"messageSenderUser","user_id":42},
                 "date":1764000005,"content":{"@type":"messagePhoto"}}}""")).as("non-text").isEmpty();
        assertThat(map("""
                {"@type":"updateOption","name":"version","value":{"@type":"optionValueString","value":"1.8.67"}}""")).isEmpty();
        assertThat(map("""
                {"@type":"updateNewMessage","message":{"id":15,"chat_id":-100999,"sender_id":{"@type":"messageSenderChat","chat_id":-100999},
                 "date":1764000006,"content":{"@type":"messageText","text":{"text":"channel post"}}}}""")).singleElement().satisfies(x -> {
            assertThat(x.fromUserId()).isZero();
            assertThat(x.chatTitle()).isNull();
        });
    }

    @Test
    void aReplyNamesTheAnsweredMessageAndItsSenderWhenSeen() {
        learnChatAndUser();
        // The account's own message: sent with a local id, then confirmed under its final id.
        assertThat(map("""
                {"@type":"updateNewMessage","message":{"id":1,"chat_id":-1001234,"is_outgoing":true,
                 "sender_id":{"@type":"messageSenderUser","user_id":7},"date":1764000010,"content":{"@type":"messageText","text":{"text":"hi all"}}}}""")).isEmpty();
        assertThat(map("""
                {"@type":"updateMessageSendSucceeded","old_message_id":1,"message":{"id":3145728,"chat_id":-1001234,"is_outgoing":true,
                 "sender_id":{"@type":"messageSenderUser","user_id":7},"date":1764000010,"content":{"@type":"messageText","text":{"text":"hi all"}}}}""")).isEmpty();
        List<TelegramUpdate> reply = map("""
                {"@type":"updateNewMessage","message":{"id":4194304,"chat_id":-1001234,"sender_id":{"@type":"messageSenderUser","user_id":42},
                 "reply_to":{"@type":"messageReplyToMessage","chat_id":-1001234,"message_id":3145728},
                 "date":1764000011,"content":{"@type":"messageText","text":{"text":"thanks"}}}}""");
        assertThat(reply).singleElement().satisfies(u -> {
            assertThat(u.replyToMessageId()).isEqualTo(3145728);
            assertThat(u.replyToUserId()).isEqualTo(7);
        });
        // TDLib before 1.8.21: reply_to_message_id; a message this account never saw: sender unknown (0).
        List<TelegramUpdate> old = map("""
                {"@type":"updateNewMessage","message":{"id":4194305,"chat_id":-1001234,"sender_id":{"@type":"messageSenderUser","user_id":42},
                 "reply_to_message_id":99,"date":1764000012,"content":{"@type":"messageText","text":{"text":"re"}}}}""");
        assertThat(old).singleElement().satisfies(u -> {
            assertThat(u.replyToMessageId()).isEqualTo(99);
            assertThat(u.replyToUserId()).isZero();
        });
        // A reply to another chat's message (quoting across chats) is no reply to this account here.
        assertThat(map("""
                {"@type":"updateNewMessage","message":{"id":4194306,"chat_id":-1001234,"sender_id":{"@type":"messageSenderUser","user_id":42},
                 "reply_to":{"@type":"messageReplyToMessage","chat_id":-100777,"message_id":3145728},
                 "date":1764000013,"content":{"@type":"messageText","text":{"text":"x"}}}}""").getFirst().replyToUserId()).isZero();
        assertThat(map("""
                {"@type":"updateNewMessage","message":{"id":4194307,"chat_id":-1001234,"sender_id":{"@type":"messageSenderUser","user_id":42},
                 "date":1764000014,"content":{"@type":"messageText","text":{"text":"plain"}}}}""").getFirst().replyToMessageId()).isZero();
    }
}
