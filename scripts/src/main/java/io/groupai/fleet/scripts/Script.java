package io.groupai.fleet.scripts;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A validated dialogue script (see {@link ScriptParser} for the YAML). Immutable; compiled into a
 * {@link ScriptEngine} once per version.
 */
public record Script(
        String scriptId,
        String version,
        String description,
        Map<String, Template> variables,
        Settings settings,
        Map<String, List<String>> roles,
        List<Scene> scenes) {

    /**
     * What the dialogue manager on a node enforces for every account running the script.
     *
     * @param groups               chat ids the script may talk in; empty: every group the account is in
     * @param replyRate            share of matching events answered, 0–1
     * @param cooldownSeconds      quiet time per group after a reply
     * @param maxRepliesPerGroupPerHour per account and group
     * @param maxRepliesPerDay     per account, all groups
     * @param historyWindow        messages per group kept as context (ai_generate)
     * @param answerFleet          answer messages of other fleet accounts (multi-account scenes)
     */
    public record Settings(
            List<Long> groups,
            double replyRate,
            int cooldownSeconds,
            int maxRepliesPerGroupPerHour,
            int maxRepliesPerDay,
            int historyWindow,
            boolean answerFleet) {

        public static final Settings DEFAULTS = new Settings(List.of(), 1.0, 0, 30, 500, 20, false);
    }

    /**
     * @param inScenes    the scene is only triggered while the chat is in one of these (empty: always)
     * @param lines       a multi-account scene: lines spoken by roles in order (instead of one response)
     * @param timeoutSeconds when the chat stays in this scene that long without a trigger, {@code onTimeout} is entered
     */
    public record Scene(
            String id,
            int index,
            int line,
            List<Trigger> triggers,
            List<Response> responses,
            List<Line> lines,
            Optional<String> nextScene,
            List<String> inScenes,
            int timeoutSeconds,
            Optional<String> onTimeout) {

        public boolean multiAccount() {
            return !lines.isEmpty();
        }
    }

    public sealed interface Trigger permits Keyword, Regex, NewMember, Message, Mention, Reply, Timer, Schedule {}

    /** Any of the words occurs in the message (case-insensitive; ASCII words only as whole words). */
    public record Keyword(List<String> keywords) implements Trigger {}

    public record Regex(Pattern pattern) implements Trigger {}

    public record NewMember() implements Trigger {}

    /** Any text message of at least {@code minLength} characters. */
    public record Message(int minLength) implements Trigger {}

    /** The message mentions the account (@username or a mention entity). */
    public record Mention() implements Trigger {}

    /** The message replies to one of the account's messages. */
    public record Reply() implements Trigger {}

    /** The group has been quiet for {@code afterSeconds} since its last message (fires once per quiet spell). */
    public record Timer(int afterSeconds) implements Trigger {}

    /** Every {@code everySeconds} in each group the script runs in. */
    public record Schedule(int everySeconds) implements Trigger {}

    /**
     * One possible answer; one response of a scene is picked by weight.
     *
     * @param text      the template sent, or empty when the answer is generated
     * @param aiPrompt  {@code ai_generate}: the prompt template sent to the routing pool
     * @param set       script variables changed when this response is chosen
     */
    public record Response(
            Optional<Template> text,
            Optional<Template> aiPrompt,
            int weight,
            double delaySeconds,
            Map<String, Template> set,
            int line) {}

    /** A line of a multi-account scene: said by an account playing {@code role}, after {@code delaySeconds}. */
    public record Line(String role, Template text, double delaySeconds) {}
}
