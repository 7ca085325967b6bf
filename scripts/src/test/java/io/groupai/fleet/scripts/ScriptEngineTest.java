package io.groupai.fleet.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScriptEngineTest {

    static final long CHAT = -1001L;

    ScriptEngine engine(String yaml) {
        return new ScriptEngine(ScriptParser.parse(yaml));
    }

    @Test
    void welcomeScriptGreetsANewMemberWithTheirNameAndTheChatTitle() throws Exception {
        ScriptEngine e = new ScriptEngine(ScriptParser.parse(Files.readString(Path.of(ScriptParserTest.WELCOME_FILE))));
        ChatState state = new ChatState();
        Decision d = e.decide(state, Event.newMember(CHAT, "Lobby", 7, "Ana"), 0, new SplittableRandom(1))
                .orElseThrow();
        assertThat(d.sceneId()).isEqualTo("greeting");
        assertThat(d.kind()).isEqualTo(Decision.Kind.SEND);
        assertThat(d.text()).isIn("欢迎 Ana 加入 Lobby！有问题随时问 😊", "Welcome, Ana! Glad to have you in Lobby.");
        assertThat(d.nextScene()).isEqualTo("conversation");
        assertThat(state.sceneId(e)).isEqualTo("conversation");

        Decision rules = e.decide(
                        state,
                        Event.message(CHAT, "Lobby", 8, "Bo", "what are the RULES here?"),
                        1,
                        new SplittableRandom(1))
                .orElseThrow();
        assertThat(rules.sceneId()).isEqualTo("conversation");
        assertThat(rules.text()).isEqualTo("群规请看置顶消息，谢谢配合。");
        assertThat(e.decide(state, Event.message(CHAT, "Lobby", 8, "Bo", "nothing to see"), 2, new SplittableRandom(1)))
                .isEmpty();
    }

    @Test
    void keywordsMatchCaseInsensitivelyAsciiWordsOnlyAsWholeWords() {
        ScriptEngine e = engine("""
                script_id: s
                version: "1"
                scenes:
                  - id: greet
                    triggers: [{type: keyword, keywords: [Hi, 你好, "good morning"]}]
                    responses: ["hello {{first_name}}"]
                """);
        assertThat(fires(e, "HI there")).contains("greet");
        assertThat(fires(e, "this is it")).isEmpty();
        assertThat(fires(e, "大家你好啊")).contains("greet");
        assertThat(fires(e, "Good Morning, all")).contains("greet");
        assertThat(fires(e, "hi!")).contains("greet");
        assertThat(fires(e, "chi")).isEmpty();
    }

    @Test
    void firstSceneInOrderWinsAndInScenesRestrictsWhenAScenePlays() {
        ScriptEngine e = engine("""
                script_id: s
                version: "1"
                variables: {topic: "none"}
                scenes:
                  - id: ask
                    triggers: [{type: keyword, keywords: [price]}]
                    responses: [{template: "Which product?", set: {topic: "price"}}]
                    next_scene: waiting
                  - id: waiting
                    in_scenes: [waiting]
                    triggers: [{type: message, min_length: 1}]
                    responses: ["{{first_name}}, about {{topic}}: 10 USD"]
                    next_scene: idle
                  - id: idle
                    triggers: [{type: regex, pattern: "^never$"}]
                    responses: ["-"]
                """);
        ChatState s = new ChatState();
        assertThat(e.decide(s, Event.message(CHAT, "t", 1, "Ana", "anything"), 0, new SplittableRandom(1)))
                .isEmpty();
        Decision ask = e.decide(s, Event.message(CHAT, "t", 1, "Ana", "the price?"), 0, new SplittableRandom(1))
                .orElseThrow();
        assertThat(ask.text()).isEqualTo("Which product?");
        assertThat(s.variables()).containsEntry("topic", "price");
        Decision answer = e.decide(s, Event.message(CHAT, "t", 1, "Ana", "the blue one"), 0, new SplittableRandom(1))
                .orElseThrow();
        assertThat(answer.sceneId()).isEqualTo("waiting");
        assertThat(answer.text()).isEqualTo("Ana, about price: 10 USD");
        assertThat(s.sceneId(e)).isEqualTo("idle");
        assertThat(e.decide(s, Event.message(CHAT, "t", 1, "Ana", "more"), 0, new SplittableRandom(1)))
                .isEmpty();
    }

    @Test
    void weightedChoiceFollowsTheWeights() {
        ScriptEngine e = engine("""
                script_id: s
                version: "1"
                scenes:
                  - id: a
                    triggers: [{type: new_member}]
                    responses:
                      - {template: "rare", weight: 1}
                      - {template: "common", weight: 9, delay_seconds: 2.5}
                """);
        Map<String, Integer> counts = new HashMap<>();
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 10_000; i++) {
            Decision d = e.decide(new ChatState(), Event.newMember(CHAT, "t", 1, "x"), 0, r)
                    .orElseThrow();
            counts.merge(d.text(), 1, Integer::sum);
            if (d.text().equals("common")) {
                assertThat(d.delaySeconds()).isEqualTo(2.5);
            }
        }
        assertThat(counts.get("common")).isBetween(8_700, 9_300);
        assertThat(counts.get("rare")).isBetween(700, 1_300);
    }

    @Test
    void timeoutQuietTimerAndScheduleFireFromTicks() {
        ScriptEngine e = engine("""
                script_id: s
                version: "1"
                scenes:
                  - id: q
                    triggers: [{type: keyword, keywords: [question]}]
                    responses: ["ask away"]
                    timeout_seconds: 60
                    on_timeout: nudge
                  - id: nudge
                    in_scenes: [q]
                    responses: ["still there, {{first_name}}?"]
                  - id: quiet
                    triggers: [{type: timer, after_seconds: 600}]
                    responses: ["so quiet here"]
                """);
        ChatState s = new ChatState();
        Event ctx = Event.message(CHAT, "t", 1, "Ana", null);
        e.decide(s, Event.message(CHAT, "t", 1, "Ana", "a question"), 0, new SplittableRandom(1))
                .orElseThrow();
        assertThat(e.tick(s, ctx, 59_000, new SplittableRandom(1))).isEmpty();
        Decision nudge = e.tick(s, ctx, 60_000, new SplittableRandom(1)).orElseThrow();
        assertThat(nudge.text()).isEqualTo("still there, Ana?");
        assertThat(e.tick(s, ctx, 61_000, new SplittableRandom(1))).isEmpty();
        assertThat(e.tick(s, ctx, 600_000, new SplittableRandom(1)))
                .map(Decision::text)
                .contains("so quiet here");
        assertThat(e.tick(s, ctx, 700_000, new SplittableRandom(1))).isEmpty(); // once per quiet spell
    }

    @Test
    void multiAccountSceneRendersItsLinesInOrderAndAiGenerateCarriesThePrompt() {
        ScriptEngine e = engine("""
                script_id: s
                version: "1"
                roles: {host: [acc1], guest: [acc2, acc3]}
                scenes:
                  - id: show
                    triggers: [{type: keyword, keywords: [show]}]
                    lines:
                      - {role: host, template: "Welcome to {{chat_title}}"}
                      - {role: guest, template: "Thanks!", delay_seconds: 5}
                  - id: ask
                    triggers: [{type: mention}]
                    responses: [{ai_generate: {prompt: "Answer {{first_name}}: {{message}}"}}]
                """);
        Decision d = e.decide(
                        new ChatState(), Event.message(CHAT, "Lobby", 1, "Ana", "a show!"), 0, new SplittableRandom(1))
                .orElseThrow();
        assertThat(d.kind()).isEqualTo(Decision.Kind.PLAY);
        assertThat(d.lines())
                .containsExactly(
                        new Decision.PlannedLine("host", "Welcome to Lobby", 0),
                        new Decision.PlannedLine("guest", "Thanks!", 5));
        // What a node sends the control plane, which renders its own copy of the lines with it.
        assertThat(d.values()).isEqualTo(java.util.Map.of("chat_title", "Lobby"));
        assertThat(e.sceneLines("show", d.values())).contains(d.lines());
        assertThat(e.sceneLines("show", java.util.Map.of("chat_title", "X"))
                        .orElseThrow()
                        .getFirst()
                        .text())
                .isEqualTo("Welcome to X");
        assertThat(e.sceneLines("ask", d.values()))
                .as("not a multi-account scene")
                .isEmpty();
        assertThat(e.sceneLines("nope", d.values())).isEmpty();
        Event mention = new Event(Event.Type.MESSAGE, CHAT, "Lobby", 1, "Ana", null, "ana", "@bot why?", true, false);
        Decision ai =
                e.decide(new ChatState(), mention, 0, new SplittableRandom(1)).orElseThrow();
        assertThat(ai.kind()).isEqualTo(Decision.Kind.AI_GENERATE);
        assertThat(ai.aiPrompt()).isEqualTo("Answer Ana: @bot why?");
    }

    @Test
    void aRegexThatWouldRunAwayOnAHugeTextCountsAsNoMatch() {
        // Accepted (the probe texts do not trip it) but bounded at match time whatever the text.
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("(x+x+)+y");
        assertThat(BoundedRegex.find(p, "x".repeat(5000))).isFalse();
        assertThat(BoundedRegex.find(p, "xxy")).isTrue();
    }

    private static Optional<String> fires(ScriptEngine e, String text) {
        return e.decide(new ChatState(), Event.message(CHAT, "t", 1, "Ana", text), 0, new SplittableRandom(1))
                .map(Decision::sceneId);
    }
}
