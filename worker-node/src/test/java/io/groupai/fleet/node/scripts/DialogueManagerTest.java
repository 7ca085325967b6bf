package io.groupai.fleet.node.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.node.telegram.TelegramUpdate;
import io.groupai.fleet.scripts.ScriptEngine;
import io.groupai.fleet.scripts.ScriptParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DialogueManagerTest {

    static final long GROUP = -100123L;
    static final long OTHER_GROUP = -100999L;
    static final long SELF = 1L;
    static final long FLEET_MATE = 2L;

    final ScheduledExecutorService scheduler = DialogueServices.newScheduler();
    final List<String> sent = new CopyOnWriteArrayList<>();
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final AtomicReference<Optional<LoadedScript>> source = new AtomicReference<>(Optional.empty());
    ReplyClaims claims = ReplyClaims.ALWAYS;
    AiClient ai = AiClient.NONE;
    long messageSeq;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    static LoadedScript load(String version, String yaml) {
        return new LoadedScript("s", version, new ScriptEngine(ScriptParser.parse(yaml)));
    }

    static String script(String settings) {
        return """
                script_id: s
                version: "1"
                settings: %s
                scenes:
                  - id: greet
                    triggers: [{type: new_member}, {type: keyword, keywords: [hello]}]
                    responses: ["hi {{first_name}}"]
                  - id: ask
                    triggers: [{type: keyword, keywords: [bot]}]
                    responses: [{ai_generate: {prompt: "answer {{first_name}}"}}]
                """.formatted(settings);
    }

    DialogueManager manager(String settings) {
        source.set(Optional.of(load("1", script(settings))));
        return new DialogueManager(
                "acc1",
                () -> {
                    Optional<LoadedScript> v = source.get();
                    if (v == null) {
                        throw new IllegalStateException("script s version 3 cannot be loaded: line 4: ...");
                    }
                    return v;
                },
                (chat, text) -> sent.add(chat + ":" + text),
                (account, chat, key) -> claims.claim(account, chat, key),
                (prompt, history) -> ai.complete(prompt, history),
                ScenePlayer.NONE,
                scheduler,
                clock,
                id -> id == FLEET_MATE,
                RandomGenerator.of("L64X128MixRandom"));
    }

    TelegramUpdate message(long chat, long from, String name, String text) {
        return new TelegramUpdate(
                "acc1",
                ++messageSeq,
                TelegramUpdate.Type.NEW_MESSAGE,
                chat,
                "Lobby",
                messageSeq,
                from,
                name,
                text,
                clock.instant());
    }

    TelegramUpdate join(long chat, long user, String name) {
        return new TelegramUpdate(
                "acc1",
                ++messageSeq,
                TelegramUpdate.Type.NEW_MEMBER,
                chat,
                "Lobby",
                0,
                user,
                name,
                null,
                clock.instant());
    }

    void settle() throws InterruptedException {
        Thread.sleep(150); // replies go through the scheduler (delay 0)
    }

    @Test
    void answersOnlyInTheScriptsAndTheAccountsGroups() throws Exception {
        DialogueManager m = manager("{groups: [" + GROUP + "]}");
        m.onUpdate(join(OTHER_GROUP, 10, "Ana"), SELF, "me");
        m.onUpdate(join(GROUP, 11, "Bo"), SELF, "me");
        settle();
        assertThat(sent).containsExactly(GROUP + ":hi Bo");

        DialogueManager any = manager("{}");
        any.setAllowedGroups(Set.of(OTHER_GROUP));
        any.onUpdate(join(GROUP, 12, "Chen"), SELF, "me");
        any.onUpdate(join(OTHER_GROUP, 13, "Dee"), SELF, "me");
        settle();
        assertThat(sent).containsExactly(GROUP + ":hi Bo", OTHER_GROUP + ":hi Dee");
    }

    @Test
    void neverAnswersItselfNorAnotherFleetAccountUnlessTheScriptSaysSo() throws Exception {
        DialogueManager m = manager("{}");
        m.onUpdate(message(GROUP, SELF, "Me", "hello"), SELF, "me");
        m.onUpdate(message(GROUP, FLEET_MATE, "Mate", "hello"), SELF, "me");
        settle();
        assertThat(sent).isEmpty();

        DialogueManager talkative = manager("{answer_fleet: true}");
        talkative.onUpdate(message(GROUP, FLEET_MATE, "Mate", "hello"), SELF, "me");
        talkative.onUpdate(message(GROUP, SELF, "Me", "hello"), SELF, "me");
        settle();
        assertThat(sent).containsExactly(GROUP + ":hi Mate");
    }

    @Test
    void cooldownHourlyAndDailyCapsAndReplyRateHoldRepliesBack() throws Exception {
        DialogueManager m =
                manager("{cooldown_seconds: 60, max_replies_per_group_per_hour: 2, max_replies_per_day: 3}");
        m.onUpdate(join(GROUP, 10, "A"), SELF, "me");
        clock.advance(30_000);
        m.onUpdate(join(GROUP, 11, "B"), SELF, "me"); // cooldown
        clock.advance(31_000);
        m.onUpdate(join(GROUP, 12, "C"), SELF, "me");
        clock.advance(61_000);
        m.onUpdate(join(GROUP, 13, "D"), SELF, "me"); // hourly cap of the group
        m.onUpdate(join(OTHER_GROUP, 14, "E"), SELF, "me");
        clock.advance(3_600_000);
        m.onUpdate(join(GROUP, 15, "F"), SELF, "me"); // new hour, but the daily cap (3) is reached
        clock.advance(24 * 3_600_000L);
        m.onUpdate(join(GROUP, 16, "G"), SELF, "me"); // next day
        settle();
        assertThat(sent).containsExactly(GROUP + ":hi A", GROUP + ":hi C", OTHER_GROUP + ":hi E", GROUP + ":hi G");

        sent.clear();
        DialogueManager silent = manager("{reply_rate: 0}");
        for (int i = 0; i < 20; i++) {
            silent.onUpdate(join(GROUP, 100 + i, "X"), SELF, "me");
        }
        settle();
        assertThat(sent).isEmpty();
    }

    @Test
    void aRefusedClaimMeansAnotherAccountAnswers() throws Exception {
        List<String> keys = new CopyOnWriteArrayList<>();
        claims = (account, chat, key) -> {
            keys.add(key);
            return false;
        };
        DialogueManager m = manager("{}");
        TelegramUpdate joined = join(GROUP, 10, "Ana");
        m.onUpdate(joined, SELF, "me");
        m.onUpdate(message(GROUP, 10, "Ana", "nothing matches"), SELF, "me");
        settle();
        assertThat(sent).isEmpty();
        assertThat(keys).containsExactly(DialogueManager.eventKey(joined)); // claimed only when a scene fires
    }

    @Test
    void aBrokenReloadKeepsTheWorkingVersionAndANewOneReplacesIt() throws Exception {
        DialogueManager m = manager("{}");
        source.set(null); // the active version now cannot be loaded (as ScriptStore.loadActive throws)
        m.reload();
        m.onUpdate(join(GROUP, 10, "Ana"), SELF, "me");
        settle();
        assertThat(sent).containsExactly(GROUP + ":hi Ana");
        assertThat(m.script()).map(LoadedScript::version).contains("1");

        source.set(Optional.of(load("2", """
                script_id: s
                version: "2"
                scenes: [{id: w, triggers: [{type: new_member}], responses: ["v2 {{first_name}}"]}]
                """)));
        m.reload();
        m.onUpdate(join(GROUP, 11, "Bo"), SELF, "me");
        settle();
        assertThat(sent).containsExactly(GROUP + ":hi Ana", GROUP + ":v2 Bo");
    }

    @Test
    void aiGenerateSaysWhyWithoutAPoolAndSendsTheAnswerWithTheBoundedHistory() throws Exception {
        DialogueManager m = manager("{history_window: 3}");
        m.onUpdate(message(GROUP, 10, "Ana", "hey bot"), SELF, "me");
        settle();
        assertThat(sent).isEmpty(); // AiClient.NONE: logged, nothing sent

        List<List<String>> histories = new CopyOnWriteArrayList<>();
        ai = (prompt, history) -> {
            histories.add(history);
            return "generated for " + prompt;
        };
        for (int i = 0; i < 5; i++) {
            m.onUpdate(message(GROUP, 10, "Ana", "line " + i), SELF, "me");
        }
        m.onUpdate(message(GROUP, 10, "Ana", "bot?"), SELF, "me");
        settle();
        assertThat(sent).containsExactly(GROUP + ":generated for answer Ana");
        assertThat(histories.get(0)).containsExactly("Ana: line 3", "Ana: line 4", "Ana: bot?");
    }

    static final class MutableClock extends Clock {
        final AtomicLong millis;

        MutableClock(Instant start) {
            millis = new AtomicLong(start.toEpochMilli());
        }

        void advance(long ms) {
            millis.addAndGet(ms);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }
}
