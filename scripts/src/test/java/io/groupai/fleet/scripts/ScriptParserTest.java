package io.groupai.fleet.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptParserTest {

    static final String WELCOME_FILE = "../examples/welcome-script.yaml";

    static List<ScriptProblem> problems(String yaml) {
        try {
            ScriptParser.parse(yaml);
        } catch (InvalidScriptException e) {
            return e.problems();
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    @Test
    void theExampleWelcomeScriptParses() throws Exception {
        Script s = ScriptParser.parse(Files.readString(Path.of(WELCOME_FILE)));
        assertThat(s.scriptId()).isEqualTo("000新人欢迎剧本");
        assertThat(s.version()).isEqualTo("1.0");
        assertThat(s.scenes()).extracting(Script.Scene::id).containsExactly("greeting", "conversation");
        assertThat(s.scenes().get(0).triggers()).hasSize(2);
        assertThat(s.scenes().get(0).nextScene()).contains("conversation");
        assertThat(s.variables()).containsKey("chat_title");
    }

    @Test
    void theReadmeExampleUsingEveryPartOfTheLanguageParses() throws Exception {
        Script s = ScriptParser.parse(Files.readString(Path.of("../examples/shop-helper-script.yaml")));
        assertThat(s.scenes()).extracting(Script.Scene::id).containsExactly("greeting", "chat", "show");
        assertThat(s.scenes().get(2).multiAccount()).isTrue();
        assertThat(s.roles()).containsKeys("host", "guest");
        assertThat(s.scenes().get(1).onTimeout()).contains("greeting");
    }

    @Test
    void unknownTriggerTypeNamesItsLineAndTheKnownTypes() {
        List<ScriptProblem> p = problems("""
                script_id: s
                version: "1"
                scenes:
                  - id: a
                    triggers:
                      - type: telepathy
                    responses: ["hi"]
                """);
        assertThat(p).hasSize(1);
        assertThat(p.get(0).line()).isEqualTo(6);
        assertThat(p.get(0).column()).isEqualTo(15);
        assertThat(p.get(0).message()).contains("'telepathy' is unknown").contains("new_member", "keyword");
        assertThat(p.get(0).path()).isEqualTo("scenes[0].triggers[0].type");
    }

    @Test
    void templateWithAnUnknownVariableIsRejectedAtItsLine() {
        List<ScriptProblem> p = problems("""
                script_id: s
                version: "1"
                variables:
                  shop: "Ana's shop"
                scenes:
                  - id: a
                    triggers: [{type: new_member}]
                    responses:
                      - template: "Hi {{first_name}}, welcome to {{shop}}"
                      - template: "Hi {{frist_name}}"
                """);
        assertThat(p).hasSize(1);
        assertThat(p.get(0).line()).isEqualTo(10);
        assertThat(p.get(0).message()).contains("{{frist_name}}").contains("first_name");
    }

    @Test
    void regexThatDoesNotCompileOrBacktracksCatastrophicallyIsRejected() {
        assertThat(problems(regexScript("(unclosed"))).singleElement().satisfies(pr -> {
            assertThat(pr.line()).isEqualTo(5);
            assertThat(pr.message()).contains("does not compile");
        });
        assertThat(problems(regexScript("(a+)+$")))
                .singleElement()
                .satisfies(pr -> assertThat(pr.message()).contains("catastrophically"));
        assertThat(problems(regexScript("^(\\\\w*)*x")))
                .singleElement()
                .satisfies(pr -> assertThat(pr.message()).contains("catastrophically"));
        // Alternation with overlap under a star: not caught by the syntactic check, caught by the probe budget.
        assertThat(problems(regexScript("^(a|aa)*b")))
                .singleElement()
                .satisfies(pr -> assertThat(pr.message()).contains("catastrophically"));
        // Ordinary patterns pass.
        ScriptParser.parse(regexScript("(?i)\\\\b(rules|规则)\\\\b"));
        ScriptParser.parse(regexScript("^\\\\d{3,5}-\\\\w+$"));
    }

    private static String regexScript(String pattern) {
        return "script_id: s\nversion: \"1\"\nscenes:\n  - id: a\n    triggers: [{type: regex, pattern: \"" + pattern
                + "\"}]\n    responses: [\"x\"]\n";
    }

    @Test
    void billionLaughsIsRefused() {
        StringBuilder y =
                new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'j'; c++) {
            y.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                y.append(i == 0 ? "" : ",").append('*').append(prev);
            }
            y.append("]\n");
            prev = c;
        }
        List<ScriptProblem> p = problems(y.toString());
        assertThat(p).singleElement().satisfies(pr -> {
            assertThat(pr.message()).containsIgnoringCase("aliases");
        });
    }

    @Test
    void tenMegabyteScriptIsRefusedBeforeParsing() {
        String big = "script_id: s\nversion: \"1\"\ndescription: \"" + "x".repeat(10 * 1024 * 1024) + "\"\n";
        assertThat(problems(big))
                .singleElement()
                .satisfies(pr -> assertThat(pr.message()).contains("1 MiB"));
    }

    @Test
    void deepNestingAndForeignTypesAreRefused() {
        assertThat(problems("a: " + "[".repeat(100) + "]".repeat(100)))
                .singleElement()
                .satisfies(pr -> assertThat(pr.message()).containsIgnoringCase("nesting"));
        List<ScriptProblem> p = problems("""
                script_id: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://x/"]]]]
                version: "1"
                scenes: [{id: a, triggers: [{type: new_member}], responses: ["x"]}]
                """);
        assertThat(p).extracting(ScriptProblem::message).anyMatch(m -> m.contains("tag") && m.contains("not allowed"));
    }

    @Test
    void brokenYamlNamesLineAndColumn() {
        List<ScriptProblem> p = problems("script_id: s\nversion: \"1\nscenes: []\n");
        assertThat(p).singleElement().satisfies(pr -> {
            assertThat(pr.message()).startsWith("this is not valid YAML");
            assertThat(pr.line()).isGreaterThanOrEqualTo(2);
        });
    }

    @Test
    void referencesToMissingScenesRolesAndUnknownKeysAreReported() {
        List<ScriptProblem> p = problems("""
                script_id: s
                version: "1"
                roles: {host: [acc1]}
                scenes:
                  - id: a
                    triggers: [{type: keyword, keywords: [hi]}]
                    responses: ["x"]
                    next_scene: nowhere
                    colour: blue
                  - id: b
                    triggers: [{type: new_member}]
                    lines:
                      - {role: guest, template: "hello", delay_seconds: 2}
                  - id: a
                    responses: ["y"]
                """);
        assertThat(p).extracting(ScriptProblem::line).containsExactly(8, 9, 13, 14);
        assertThat(p.get(0).message()).contains("'nowhere'");
        assertThat(p.get(1).message()).contains("'colour' is not a known key");
        assertThat(p.get(2).message()).contains("role 'guest' is not declared");
        assertThat(p.get(3).message()).contains("used twice");
    }

    @Test
    void settingsAreReadAndBounded() {
        Script s = ScriptParser.parse("""
                script_id: s
                version: "2"
                settings: {groups: [-100123], reply_rate: 0.5, cooldown_seconds: 30, max_replies_per_day: 10}
                scenes: [{id: a, triggers: [{type: new_member}], responses: ["x"]}]
                """);
        assertThat(s.settings().groups()).containsExactly(-100123L);
        assertThat(s.settings().replyRate()).isEqualTo(0.5);
        assertThat(s.settings().maxRepliesPerDay()).isEqualTo(10);
        assertThat(s.settings().maxRepliesPerGroupPerHour()).isEqualTo(30);
        assertThat(problems("""
                script_id: s
                version: "2"
                settings: {reply_rate: 1.5}
                scenes: [{id: a, triggers: [{type: new_member}], responses: ["x"]}]
                """)).singleElement().satisfies(pr -> {
            assertThat(pr.line()).isEqualTo(3);
            assertThat(pr.message()).contains("reply_rate must be between 0 and 1");
        });
    }

    @Test
    void emptyAndNonMappingScriptsAreExplained() {
        assertThatThrownBy(() -> ScriptParser.parse(""))
                .isInstanceOf(InvalidScriptException.class)
                .hasMessageContaining("empty");
        assertThat(problems("- a\n- b\n"))
                .singleElement()
                .satisfies(pr -> assertThat(pr.message()).contains("must be a mapping"));
    }
}
