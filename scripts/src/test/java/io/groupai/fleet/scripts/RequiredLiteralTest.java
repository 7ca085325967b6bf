package io.groupai.fleet.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RequiredLiteralTest {

    @Test
    void findsTheLongestLiteralEveryMatchContains() {
        assertThat(RequiredLiteral.of("(?i)\\border\\s*#?12-\\d{3,6}\\b")).isEqualTo("order");
        assertThat(RequiredLiteral.of("refund (please|now)")).isEqualTo("refund ");
        assertThat(RequiredLiteral.of("colou?r chart")).isEqualTo("r chart");
        assertThat(RequiredLiteral.of("ab+cdef")).isEqualTo("cdef");
        assertThat(RequiredLiteral.of("x{0,3}yz\\.com")).isEqualTo("yz.com");
        assertThat(RequiredLiteral.of("[abc]+hello[0-9]")).isEqualTo("hello");
        assertThat(RequiredLiteral.of("群规请看")).isEqualTo("群规请看");
    }

    @Test
    void givesNoneWhenItCannotBeSure() {
        assertThat(RequiredLiteral.of("(?i)\\b(rules|规则)\\b")).isNull(); // only inside a group
        assertThat(RequiredLiteral.of("hello|world")).isNull();
        assertThat(RequiredLiteral.of("(?x)hello world")).isNull();
        assertThat(RequiredLiteral.of("(?iu)straße")).isNull();
        assertThat(RequiredLiteral.of("ab")).isNull(); // too short to filter well
        assertThat(RequiredLiteral.of("\\Qa.b.c\\E")).isNull();
    }

    @Test
    void aRegexWithALiteralStillMatchesThroughTheEngineAndOnlyWhenItCan() {
        ScriptEngine e = new ScriptEngine(ScriptParser.parse("""
                script_id: s
                version: "1"
                scenes:
                  - id: order
                    triggers: [{type: regex, pattern: "(?i)\\\\bORDER\\\\s*#?\\\\d{4}\\\\b"}]
                    responses: ["looking up your order"]
                  - id: rules
                    triggers: [{type: regex, pattern: "(?i)\\\\b(rules|规则)\\\\b"}]
                    responses: ["see the pinned message"]
                """));
        assertThat(fired(e, "where is my Order #1234?")).isEqualTo("order");
        assertThat(fired(e, "where is my order 12")).isNull();
        assertThat(fired(e, "what are the RULES")).isEqualTo("rules");
        assertThat(Pattern.compile("(?i)\\bORDER\\s*#?\\d{4}\\b")
                        .matcher("oRdEr 9999")
                        .find())
                .isTrue();
        assertThat(fired(e, "oRdEr 9999")).isEqualTo("order");
    }

    private static String fired(ScriptEngine e, String text) {
        return e.decide(new ChatState(), Event.message(1, "t", 1, "A", text), 0, new java.util.SplittableRandom(1))
                .map(Decision::sceneId)
                .orElse(null);
    }
}
