package io.groupai.fleet.scripts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Decides, for one event in one group, which scene fires and what is said. Built once per script
 * version (keywords in one Aho–Corasick automaton, regexes compiled and bounded, templates split)
 * and then shared by every account and group running the version; the per-group state lives in
 * {@link ChatState}. The first scene in script order whose trigger matches (and whose
 * {@code in_scenes} allows the chat's current scene) fires.
 */
public final class ScriptEngine {

    private final Script script;
    private final Script.Scene[] scenes;
    private final Map<String, Integer> index = new HashMap<>();
    private final KeywordMatcher keywords;
    /** Per scene: the current-scene indexes it is restricted to, or null when always eligible. */
    private final boolean[][] allowedFrom;
    /** Scenes (in order) with message triggers other than keywords. */
    private final int[] otherMessageScenes;
    /** Per scene: its message triggers other than keywords, and for each its regex id (-1: not a regex). */
    private final Script.Trigger[][] otherTriggers;

    private final int[][] regexIds;
    /** Regexes (by id) without a required literal: they run whenever their scene is considered. */
    private final long[] regexAlways;

    private final int regexCount;

    private final int[] newMemberScenes;
    private final int[][] weights; // per scene: cumulative response weights
    private final int[] quietTimerSeconds; // per scene, 0 = none
    private final int[] scheduleSeconds; // per scene, 0 = none

    public ScriptEngine(Script script) {
        this.script = script;
        this.scenes = script.scenes().toArray(Script.Scene[]::new);
        for (int i = 0; i < scenes.length; i++) {
            index.put(scenes[i].id(), i);
        }
        List<String> words = new ArrayList<>();
        List<Integer> wordScenes = new ArrayList<>();
        List<Integer> other = new ArrayList<>();
        List<Integer> members = new ArrayList<>();
        otherTriggers = new Script.Trigger[scenes.length][];
        regexIds = new int[scenes.length][];
        List<Boolean> always = new ArrayList<>();
        allowedFrom = new boolean[scenes.length][];
        weights = new int[scenes.length][];
        quietTimerSeconds = new int[scenes.length];
        scheduleSeconds = new int[scenes.length];
        for (int i = 0; i < scenes.length; i++) {
            Script.Scene s = scenes[i];
            if (!s.inScenes().isEmpty()) {
                allowedFrom[i] = new boolean[scenes.length];
                for (String from : s.inScenes()) {
                    allowedFrom[i][index.get(from)] = true;
                }
            }
            boolean hasOther = false;
            List<Script.Trigger> others = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            for (Script.Trigger t : s.triggers()) {
                int before = others.size();
                if (t instanceof Script.Regex r) {
                    int id = always.size();
                    String literal = RequiredLiteral.of(r.pattern().pattern());
                    always.add(literal == null);
                    if (literal != null) {
                        words.add(literal);
                        wordScenes.add(-id - 1);
                    }
                    ids.add(id);
                } else {
                    ids.add(-1);
                }
                switch (t) {
                    case Script.Keyword k ->
                        k.keywords().forEach(w -> {
                            words.add(w);
                            wordScenes.add(s.index());
                        });
                    case Script.NewMember nm -> {
                        if (members.isEmpty() || members.getLast() != i) {
                            members.add(i);
                        }
                    }
                    case Script.Timer tm -> quietTimerSeconds[i] = tm.afterSeconds();
                    case Script.Schedule sc -> scheduleSeconds[i] = sc.everySeconds();
                    default -> {
                        hasOther = true;
                        others.add(t);
                    }
                }
                if (others.size() == before) {
                    ids.removeLast(); // keywords, new_member, timers: not checked per message here
                }
            }
            otherTriggers[i] = others.toArray(Script.Trigger[]::new);
            regexIds[i] = ids.stream().mapToInt(Integer::intValue).toArray();
            if (hasOther) {
                other.add(i);
            }
            int[] w = new int[s.responses().size()];
            int sum = 0;
            for (int r = 0; r < w.length; r++) {
                sum += s.responses().get(r).weight();
                w[r] = sum;
            }
            weights[i] = w;
        }
        this.keywords = new KeywordMatcher(words, wordScenes);
        this.regexCount = always.size();
        this.regexAlways = new long[(regexCount + 63) / 64];
        for (int r = 0; r < regexCount; r++) {
            if (always.get(r)) {
                regexAlways[r >>> 6] |= 1L << r;
            }
        }
        this.otherMessageScenes = other.stream().mapToInt(Integer::intValue).toArray();
        this.newMemberScenes = members.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The lines of multi-account scene {@code sceneId} rendered from this script's own text with
     * {@code values} (by variable name; a missing one renders empty), or empty when the script has no
     * such multi-account scene. The control plane plays a scene a node asked for this way: the text
     * comes from its script store, only the event's values from the node.
     */
    public Optional<List<Decision.PlannedLine>> sceneLines(String sceneId, Map<String, String> values) {
        Integer i = index.get(sceneId);
        if (i == null || !scenes[i].multiAccount()) {
            return Optional.empty();
        }
        List<Decision.PlannedLine> lines = new ArrayList<>();
        for (Script.Line l : scenes[i].lines()) {
            lines.add(new Decision.PlannedLine(l.role(), l.text().render(values::get), l.delaySeconds()));
        }
        return Optional.of(List.copyOf(lines));
    }

    public Script script() {
        return script;
    }

    int sceneIndex(String id) {
        Integer i = index.get(id);
        if (i == null) {
            throw new IllegalArgumentException(
                    "the script has no scene '" + id + "' (scenes: " + String.join(", ", index.keySet()) + ")");
        }
        return i;
    }

    /** Whether a scene may fire in a chat's state (no capturing lambda per message). */
    @FunctionalInterface
    interface Eligibility {
        boolean test(int scene, ChatState state);
    }

    private final Eligibility eligibility = this::eligible;

    private boolean eligible(int scene, ChatState state) {
        boolean[] from = allowedFrom[scene];
        return from == null || (state.scene >= 0 && from[state.scene]);
    }

    /**
     * The decision for {@code event}, or empty when no scene fires. Moves {@code state} to the
     * scene that fired (or its next_scene) and applies the response's variable changes.
     */
    public Optional<Decision> decide(ChatState state, Event event, long nowMillis, RandomGenerator random) {
        int fired = match(state, event);
        if (event.type() == Event.Type.MESSAGE) {
            state.lastMessageAt = nowMillis;
            state.anyMessage = true;
            state.quietTimerFired = false;
        }
        if (fired < 0) {
            return Optional.empty();
        }
        return Optional.of(fire(fired, state, event, nowMillis, random));
    }

    /** The scene {@code event} triggers, without changing anything; -1 when none. */
    public int match(ChatState state, Event event) {
        if (event.type() == Event.Type.NEW_MEMBER) {
            for (int i : newMemberScenes) {
                if (eligible(i, state)) {
                    return i;
                }
            }
            return -1;
        }
        String text = event.text();
        if (text == null) {
            return -1;
        }
        long[] regexHits = regexCount == 0 ? NO_REGEX : regexAlways.clone();
        int best = keywords.firstScene(text, eligibility, state, regexHits);
        for (int i : otherMessageScenes) {
            if (i >= best) {
                break;
            }
            if (eligible(i, state) && messageTriggers(i, event, text, regexHits)) {
                best = i;
                break;
            }
        }
        return best == Integer.MAX_VALUE ? -1 : best;
    }

    private static final long[] NO_REGEX = new long[0];

    private boolean messageTriggers(int scene, Event event, String text, long[] regexHits) {
        Script.Trigger[] triggers = otherTriggers[scene];
        int[] ids = regexIds[scene];
        for (int k = 0; k < triggers.length; k++) {
            boolean hit = switch (triggers[k]) {
                case Script.Regex r -> {
                    int id = ids[k];
                    // Its required literal is not in the text: it cannot match.
                    yield (regexHits[id >>> 6] & (1L << id)) != 0 && BoundedRegex.find(r.pattern(), text);
                }
                case Script.Message m -> text.length() >= m.minLength();
                case Script.Mention m -> event.mentionsMe();
                case Script.Reply r -> event.replyToMe();
                default -> false;
            };
            if (hit) {
                return true;
            }
        }
        return false;
    }

    /**
     * Timers of one group at {@code nowMillis}: the current scene's timeout (enter its on_timeout
     * scene), a quiet-group timer, a schedule. At most one decision per call.
     */
    public Optional<Decision> tick(ChatState state, Event context, long nowMillis, RandomGenerator random) {
        if (state.scene >= 0) {
            Script.Scene current = scenes[state.scene];
            if (current.timeoutSeconds() > 0
                    && nowMillis - state.sceneEnteredAt >= current.timeoutSeconds() * 1000L
                    && current.onTimeout().isPresent()) {
                return Optional.of(fire(index.get(current.onTimeout().get()), state, context, nowMillis, random));
            }
        }
        if (state.anyMessage && !state.quietTimerFired) {
            for (int i = 0; i < scenes.length; i++) {
                if (quietTimerSeconds[i] > 0
                        && nowMillis - state.lastMessageAt >= quietTimerSeconds[i] * 1000L
                        && eligible(i, state)) {
                    state.quietTimerFired = true;
                    return Optional.of(fire(i, state, context, nowMillis, random));
                }
            }
        }
        if (state.lastScheduleFire == null) {
            state.lastScheduleFire = new long[scenes.length];
            Arrays.fill(state.lastScheduleFire, nowMillis);
        }
        for (int i = 0; i < scenes.length; i++) {
            if (scheduleSeconds[i] > 0
                    && nowMillis - state.lastScheduleFire[i] >= scheduleSeconds[i] * 1000L
                    && eligible(i, state)) {
                state.lastScheduleFire[i] = nowMillis;
                return Optional.of(fire(i, state, context, nowMillis, random));
            }
        }
        return Optional.empty();
    }

    /** Whether any scene has a timer, schedule or timeout (the manager ticks only such scripts). */
    public boolean hasTimers() {
        for (int i = 0; i < scenes.length; i++) {
            if (quietTimerSeconds[i] > 0 || scheduleSeconds[i] > 0 || scenes[i].timeoutSeconds() > 0) {
                return true;
            }
        }
        return false;
    }

    private Decision fire(int i, ChatState state, Event event, long now, RandomGenerator random) {
        Script.Scene scene = scenes[i];
        Template.Values values = values(state, event);
        Decision decision;
        if (scene.multiAccount()) {
            List<Decision.PlannedLine> lines = new ArrayList<>(scene.lines().size());
            Map<String, String> used = new HashMap<>();
            for (Script.Line l : scene.lines()) {
                lines.add(new Decision.PlannedLine(l.role(), l.text().render(values), l.delaySeconds()));
                for (String name : l.text().variables()) {
                    used.computeIfAbsent(name, values::get);
                }
            }
            used.values().removeIf(java.util.Objects::isNull);
            decision = new Decision(
                    scene.id(), Decision.Kind.PLAY, null, null, 0, List.copyOf(lines), null, Map.copyOf(used));
        } else if (scene.responses().isEmpty()) {
            decision = null;
        } else {
            int[] w = weights[i];
            int r = 0;
            if (w.length > 1) {
                int pick = random.nextInt(w[w.length - 1]);
                while (w[r] <= pick) {
                    r++;
                }
            }
            Script.Response response = scene.responses().get(r);
            decision = response.text().isPresent()
                    ? new Decision(
                            scene.id(),
                            Decision.Kind.SEND,
                            response.text().get().render(values),
                            null,
                            response.delaySeconds(),
                            List.of(),
                            null)
                    : new Decision(
                            scene.id(),
                            Decision.Kind.AI_GENERATE,
                            null,
                            response.aiPrompt().get().render(values),
                            response.delaySeconds(),
                            List.of(),
                            null);
            if (!response.set().isEmpty()) {
                response.set().forEach((k, v) -> state.variables.put(k, v.render(values)));
            }
        }
        state.scene = scene.nextScene().map(index::get).orElse(i);
        state.sceneEnteredAt = now;
        String next = scenes[state.scene].id();
        if (decision == null) {
            return new Decision(scene.id(), Decision.Kind.SEND, null, null, 0, List.of(), next);
        }
        return new Decision(
                decision.sceneId(),
                decision.kind(),
                decision.text(),
                decision.aiPrompt(),
                decision.delaySeconds(),
                decision.lines(),
                next,
                decision.values());
    }

    private Template.Values values(ChatState state, Event e) {
        return name -> {
            String set = state.variables.get(name);
            if (set != null) {
                return set;
            }
            String builtIn = builtIn(name, e);
            if (builtIn != null) {
                return builtIn;
            }
            Template t = script.variables().get(name);
            return t == null ? "" : t.render(n -> builtIn(n, e));
        };
    }

    private static String builtIn(String name, Event e) {
        return switch (name) {
            case "first_name", "user.first_name" -> nz(e.firstName());
            case "last_name" -> nz(e.lastName());
            case "username", "user.username" -> nz(e.username());
            case "mention" -> e.username() != null && !e.username().isEmpty() ? "@" + e.username() : nz(e.firstName());
            case "chat_title", "chat.title" -> nz(e.chatTitle());
            case "message" -> nz(e.text());
            default -> null;
        };
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
