package io.groupai.fleet.scripts;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads and validates a dialogue script. The YAML is only <em>composed</em> into SnakeYAML's node
 * tree (never constructed into Java objects, so no type a document names is ever instantiated),
 * with limits on size, aliases (billion laughs) and nesting; then every key is checked against the
 * language and every problem is reported with its line and column.
 *
 * <pre>
 * script_id: welcome            # letters (any script), digits, . _ + @ -
 * version: "1.0"
 * description: ...
 * variables: {name: "template"} # script variables, usable as {{name}}
 * settings: {groups: [chat ids], reply_rate: 0.8, cooldown_seconds: 30,
 *            max_replies_per_group_per_hour: 30, max_replies_per_day: 500, history_window: 20, answer_fleet: false}
 * roles: {host: [account ids], guest: [account ids]}   # for multi-account scenes
 * scenes:
 *   - id: greeting
 *     triggers: [{type: keyword, keywords: [hi]}, {type: regex, pattern: "..."}, {type: new_member},
 *                {type: message, min_length: 10}, {type: mention}, {type: reply},
 *                {type: timer, after_seconds: 600}, {type: schedule, every_seconds: 3600}]
 *     in_scenes: [conversation]  # only while the chat is in one of these scenes
 *     responses: [{template: "Hi {{first_name}}", weight: 2, delay_seconds: 3, set: {greeted: "yes"}},
 *                 {ai_generate: {prompt: "Answer {{message}}"}}]
 *     lines: [{role: host, template: "...", delay_seconds: 5}]   # multi-account scene instead of responses
 *     next_scene: conversation
 *     timeout_seconds: 600
 *     on_timeout: greeting
 * </pre>
 */
public final class ScriptParser {

    public static final int MAX_BYTES = 1024 * 1024;
    static final int MAX_ALIASES = 20;
    static final int MAX_NESTING = 20;
    static final int MAX_SCENES = 1_000;
    static final double MAX_DELAY_SECONDS = 300;

    private static final Pattern SAFE_ID = Pattern.compile("[\\p{L}\\p{N}_+@-][\\p{L}\\p{N}._+@-]{0,127}");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final Set<Tag> PLAIN_TAGS =
            Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ);
    private static final List<String> TRIGGER_TYPES =
            List.of("keyword", "regex", "new_member", "message", "mention", "reply", "timer", "schedule");

    private final List<ScriptProblem> problems = new ArrayList<>();

    private ScriptParser() {}

    /** @throws InvalidScriptException listing every problem, each with line and column */
    public static Script parse(String yaml) {
        return new ScriptParser().run(yaml);
    }

    private Script run(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            throw new InvalidScriptException(List.of(
                    new ScriptProblem(1, 1, "", "the script is empty; it needs script_id, version and scenes")));
        }
        int bytes = yaml.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new InvalidScriptException(List.of(new ScriptProblem(
                    1, 1, "", "the script is " + bytes + " bytes; at most " + MAX_BYTES + " (1 MiB) are allowed")));
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_BYTES);
        options.setAllowRecursiveKeys(false);
        options.setProcessComments(false);
        Node root;
        try {
            Yaml parser = new Yaml(
                    new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(), options);
            root = parser.compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() == null ? e.getMessage() : e.getProblem();
            throw new InvalidScriptException(List.of(new ScriptProblem(
                    mark == null ? 1 : mark.getLine() + 1,
                    mark == null ? 1 : mark.getColumn() + 1,
                    "",
                    "this is not valid YAML: " + firstLine(what))));
        } catch (YAMLException e) {
            throw new InvalidScriptException(
                    List.of(new ScriptProblem(1, 1, "", "the YAML is refused: " + firstLine(e.getMessage()))));
        }
        if (root == null) {
            throw new InvalidScriptException(List.of(
                    new ScriptProblem(1, 1, "", "the script is empty; it needs script_id, version and scenes")));
        }
        checkTags(root, "", 0);
        if (!(root instanceof MappingNode top)) {
            problem(root, "", "the script must be a mapping with script_id, version and scenes");
            throw new InvalidScriptException(problems);
        }
        Map<String, NodeTuple> fields = fields(
                top, "", Set.of("script_id", "version", "description", "variables", "settings", "roles", "scenes"));
        String scriptId = requiredString(fields, top, "script_id", "");
        if (scriptId != null && !SAFE_ID.matcher(scriptId).matches()) {
            problem(
                    fields.get("script_id").getValueNode(),
                    "script_id",
                    "script_id '" + scriptId + "' must be letters, digits and . _ + @ - (not starting with '.'), at"
                            + " most 128 characters");
        }
        String version = requiredString(fields, top, "version", "");
        if (version != null && !SAFE_ID.matcher(version).matches()) {
            problem(
                    fields.get("version").getValueNode(),
                    "version",
                    "version '" + version + "' must be letters, digits and . _ + @ -, e.g. \"1.0\"");
        }
        String description = optionalString(fields, "description", "");

        // Variables first: templates anywhere may use them.
        Map<String, Node> variableNodes = new LinkedHashMap<>();
        if (fields.containsKey("variables")) {
            Node v = fields.get("variables").getValueNode();
            if (v instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    String name = scalar(t.getKeyNode());
                    if (name == null || !VARIABLE.matcher(name).matches()) {
                        problem(
                                t.getKeyNode(),
                                "variables",
                                "variable name '" + name
                                        + "' must be letters, digits and _ (not starting with a digit)");
                    } else if (Template.BUILT_INS.contains(name)) {
                        // A script may give a built-in a default (the seed's chat_title: "{{chat.title}}").
                        variableNodes.put(name, t.getValueNode());
                    } else {
                        variableNodes.put(name, t.getValueNode());
                    }
                }
            } else if (!isNull(v)) {
                problem(v, "variables", "variables must be a mapping of name: value");
            }
        }
        Set<String> known = new HashSet<>(Template.BUILT_INS);
        known.addAll(variableNodes.keySet());
        Map<String, Template> variables = new LinkedHashMap<>();
        variableNodes.forEach((name, node) -> {
            String text = scalar(node);
            if (text == null) {
                problem(node, "variables." + name, "variable " + name + " must be a text or number");
                return;
            }
            // A variable's value may use what the engine knows about the event, not other variables (no cycles).
            Template t = template(node, "variables." + name, text, Template.BUILT_INS);
            if (t != null) {
                variables.put(name, t);
            }
        });

        Script.Settings settings = settings(fields.get("settings"));
        Map<String, List<String>> roles = roles(fields.get("roles"));

        List<Script.Scene> scenes = new ArrayList<>();
        Map<String, Node> sceneIds = new LinkedHashMap<>();
        List<Runnable> crossChecks = new ArrayList<>();
        if (!fields.containsKey("scenes")) {
            problem(top, "", "the script has no scenes; add a 'scenes' list");
        } else {
            Node s = fields.get("scenes").getValueNode();
            if (!(s instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
                problem(s, "scenes", "scenes must be a non-empty list of scenes");
            } else if (seq.getValue().size() > MAX_SCENES) {
                problem(s, "scenes", "a script may have at most " + MAX_SCENES + " scenes");
            } else {
                int i = 0;
                for (Node sceneNode : seq.getValue()) {
                    Script.Scene scene = scene(sceneNode, i, "scenes[" + i + "]", known, roles, sceneIds, crossChecks);
                    if (scene != null) {
                        scenes.add(scene);
                    }
                    i++;
                }
            }
        }
        crossChecks.forEach(Runnable::run);
        if (!problems.isEmpty()) {
            problems.sort((a, b) -> a.line() != b.line()
                    ? Integer.compare(a.line(), b.line())
                    : Integer.compare(a.column(), b.column()));
            throw new InvalidScriptException(problems);
        }
        return new Script(scriptId, version, description, Map.copyOf(variables), settings, roles, List.copyOf(scenes));
    }

    private Script.Scene scene(
            Node node,
            int index,
            String path,
            Set<String> known,
            Map<String, List<String>> roles,
            Map<String, Node> sceneIds,
            List<Runnable> crossChecks) {
        if (!(node instanceof MappingNode m)) {
            problem(node, path, "each scene must be a mapping with id, triggers and responses");
            return null;
        }
        Map<String, NodeTuple> f = fields(
                m,
                path,
                Set.of(
                        "id",
                        "triggers",
                        "responses",
                        "lines",
                        "next_scene",
                        "in_scenes",
                        "timeout_seconds",
                        "on_timeout",
                        "description"));
        String id = requiredString(f, m, "id", path);
        if (id != null) {
            if (!SAFE_ID.matcher(id).matches()) {
                problem(
                        f.get("id").getValueNode(),
                        path + ".id",
                        "scene id '" + id + "' must be letters, digits and . _ + @ -");
            } else if (sceneIds.containsKey(id)) {
                problem(
                        f.get("id").getValueNode(),
                        path + ".id",
                        "scene id '" + id + "' is used twice (also at line "
                                + (sceneIds.get(id).getStartMark().getLine() + 1) + ")");
            } else {
                sceneIds.put(id, f.get("id").getValueNode());
            }
        }
        String label = "scene " + (id == null ? "#" + (index + 1) : "'" + id + "'");
        List<Script.Trigger> triggers = new ArrayList<>();
        if (f.containsKey("triggers")) {
            Node tn = f.get("triggers").getValueNode();
            if (tn instanceof SequenceNode ts) {
                int i = 0;
                for (Node t : ts.getValue()) {
                    Script.Trigger trigger = trigger(t, path + ".triggers[" + i++ + "]", label);
                    if (trigger != null) {
                        triggers.add(trigger);
                    }
                }
            } else {
                problem(tn, path + ".triggers", label + ": triggers must be a list");
            }
        }
        List<Script.Response> responses = new ArrayList<>();
        if (f.containsKey("responses")) {
            Node rn = f.get("responses").getValueNode();
            if (rn instanceof SequenceNode rs) {
                int i = 0;
                for (Node r : rs.getValue()) {
                    Script.Response response = response(r, path + ".responses[" + i++ + "]", label, known);
                    if (response != null) {
                        responses.add(response);
                    }
                }
            } else {
                problem(rn, path + ".responses", label + ": responses must be a list");
            }
        }
        List<Script.Line> lines = new ArrayList<>();
        if (f.containsKey("lines")) {
            Node ln = f.get("lines").getValueNode();
            if (ln instanceof SequenceNode ls) {
                int i = 0;
                for (Node l : ls.getValue()) {
                    Script.Line line = line(l, path + ".lines[" + i++ + "]", label, known, roles);
                    if (line != null) {
                        lines.add(line);
                    }
                }
            } else {
                problem(ln, path + ".lines", label + ": lines must be a list of {role, template, delay_seconds}");
            }
        }
        if (!responses.isEmpty() && !lines.isEmpty()) {
            problem(
                    m,
                    path,
                    label + " has both responses and lines; a scene answers with one response or plays"
                            + " its lines, not both");
        }
        if (f.containsKey("responses")
                && f.containsKey("lines") == false
                && responses.isEmpty()
                && f.get("responses").getValueNode() instanceof SequenceNode s
                && s.getValue().isEmpty()) {
            problem(s, path + ".responses", label + ": responses is empty");
        }
        Optional<String> next = Optional.ofNullable(optionalString(f, "next_scene", path));
        Optional<String> onTimeout = Optional.ofNullable(optionalString(f, "on_timeout", path));
        int timeout = intField(f, "timeout_seconds", path, 0, 7 * 24 * 3600, 0);
        if (timeout > 0 && onTimeout.isEmpty()) {
            problem(
                    f.get("timeout_seconds").getValueNode(),
                    path + ".timeout_seconds",
                    label + " has timeout_seconds but no on_timeout scene to go to");
        }
        if (onTimeout.isPresent() && timeout == 0) {
            problem(
                    f.get("on_timeout").getValueNode(),
                    path + ".on_timeout",
                    label + " has on_timeout but no timeout_seconds");
        }
        List<String> inScenes = stringList(f.get("in_scenes"), path + ".in_scenes", label);
        crossChecks.add(() -> {
            next.ifPresent(n -> requireScene(
                    sceneIds, n, f.get("next_scene").getValueNode(), path + ".next_scene", label + ": next_scene"));
            onTimeout.ifPresent(n -> requireScene(
                    sceneIds, n, f.get("on_timeout").getValueNode(), path + ".on_timeout", label + ": on_timeout"));
            for (String s : inScenes) {
                requireScene(
                        sceneIds, s, f.get("in_scenes").getValueNode(), path + ".in_scenes", label + ": in_scenes");
            }
        });
        return new Script.Scene(
                id == null ? "#" + index : id,
                index,
                m.getStartMark().getLine() + 1,
                List.copyOf(triggers),
                List.copyOf(responses),
                List.copyOf(lines),
                next,
                inScenes,
                timeout,
                onTimeout);
    }

    private void requireScene(Map<String, Node> sceneIds, String id, Node at, String path, String what) {
        if (!sceneIds.containsKey(id)) {
            problem(
                    at,
                    path,
                    what + " names scene '" + id + "', which the script does not have (scenes: "
                            + String.join(", ", sceneIds.keySet()) + ")");
        }
    }

    private Script.Trigger trigger(Node node, String path, String label) {
        if (!(node instanceof MappingNode m)) {
            problem(node, path, label + ": a trigger must be a mapping with a type, e.g. {type: new_member}");
            return null;
        }
        Map<String, NodeTuple> f = fields(
                m,
                path,
                Set.of("type", "keywords", "keyword", "pattern", "min_length", "after_seconds", "every_seconds"));
        String type = requiredString(f, m, "type", path);
        if (type == null) {
            return null;
        }
        Node typeNode = f.get("type").getValueNode();
        return switch (type) {
            case "keyword" -> {
                List<String> words = new ArrayList<>(stringList(f.get("keywords"), path + ".keywords", label));
                String single = optionalString(f, "keyword", path);
                if (single != null) {
                    words.add(single);
                }
                List<String> lower = new ArrayList<>();
                for (String w : words) {
                    if (w.isBlank()) {
                        problem(m, path, label + ": a keyword is empty");
                    } else if (w.length() > 200) {
                        problem(
                                m,
                                path,
                                label + ": keyword '" + w.substring(0, 20) + "...' is longer than 200 characters");
                    } else {
                        lower.add(lower(w.strip()));
                    }
                }
                if (words.isEmpty()) {
                    problem(m, path, label + ": a keyword trigger needs 'keywords: [...]'");
                }
                yield new Script.Keyword(List.copyOf(lower));
            }
            case "regex" -> {
                String source = optionalString(f, "pattern", path);
                if (source == null) {
                    problem(m, path, label + ": a regex trigger needs a 'pattern'");
                    yield null;
                }
                Node at = f.get("pattern").getValueNode();
                Pattern p = BoundedRegex.compile(source, msg -> problem(at, path + ".pattern", label + ": " + msg));
                yield p == null ? null : new Script.Regex(p);
            }
            case "new_member" -> new Script.NewMember();
            case "message" -> new Script.Message(intField(f, "min_length", path, 0, 4096, 1));
            case "mention" -> new Script.Mention();
            case "reply" -> new Script.Reply();
            case "timer" -> {
                int s = intField(f, "after_seconds", path, 10, 30 * 24 * 3600, -1);
                if (s < 0) {
                    problem(m, path, label + ": a timer trigger needs 'after_seconds' (at least 10)");
                    yield null;
                }
                yield new Script.Timer(s);
            }
            case "schedule" -> {
                int s = intField(f, "every_seconds", path, 60, 30 * 24 * 3600, -1);
                if (s < 0) {
                    problem(m, path, label + ": a schedule trigger needs 'every_seconds' (at least 60)");
                    yield null;
                }
                yield new Script.Schedule(s);
            }
            default -> {
                problem(
                        typeNode,
                        path + ".type",
                        label + ": trigger type '" + type + "' is unknown; use one of "
                                + String.join(", ", TRIGGER_TYPES));
                yield null;
            }
        };
    }

    private Script.Response response(Node node, String path, String label, Set<String> known) {
        if (node instanceof ScalarNode s && scalar(s) != null) {
            Template t = template(s, path, scalar(s), known);
            return t == null
                    ? null
                    : new Script.Response(
                            Optional.of(t),
                            Optional.empty(),
                            1,
                            0,
                            Map.of(),
                            s.getStartMark().getLine() + 1);
        }
        if (!(node instanceof MappingNode m)) {
            problem(node, path, label + ": a response is a text or a mapping with 'template' or 'ai_generate'");
            return null;
        }
        Map<String, NodeTuple> f = fields(m, path, Set.of("template", "ai_generate", "weight", "delay_seconds", "set"));
        Optional<Template> text = Optional.empty();
        Optional<Template> ai = Optional.empty();
        if (f.containsKey("template")) {
            Node tn = f.get("template").getValueNode();
            String src = scalar(tn);
            if (src == null) {
                problem(tn, path + ".template", label + ": template must be a text");
            } else {
                text = Optional.ofNullable(template(tn, path + ".template", src, known));
            }
        }
        if (f.containsKey("ai_generate")) {
            Node an = f.get("ai_generate").getValueNode();
            String prompt = null;
            Node promptNode = an;
            if (an instanceof MappingNode am) {
                Map<String, NodeTuple> af = fields(am, path + ".ai_generate", Set.of("prompt"));
                prompt = requiredString(af, am, "prompt", path + ".ai_generate");
                promptNode = af.containsKey("prompt") ? af.get("prompt").getValueNode() : an;
            } else {
                prompt = scalar(an);
            }
            if (prompt != null) {
                ai = Optional.ofNullable(template(promptNode, path + ".ai_generate.prompt", prompt, known));
            } else if (!(an instanceof MappingNode)) {
                problem(an, path + ".ai_generate", label + ": ai_generate needs a prompt, e.g. {prompt: \"...\"}");
            }
        }
        if (f.containsKey("template") == f.containsKey("ai_generate")) {
            problem(m, path, label + ": a response has either 'template' or 'ai_generate' (exactly one)");
        }
        int weight = intField(f, "weight", path, 1, 1_000_000, 1);
        double delay = doubleField(f, "delay_seconds", path, 0, MAX_DELAY_SECONDS, 0);
        Map<String, Template> set = new LinkedHashMap<>();
        if (f.containsKey("set")) {
            Node sn = f.get("set").getValueNode();
            if (sn instanceof MappingNode sm) {
                for (NodeTuple t : sm.getValue()) {
                    String name = scalar(t.getKeyNode());
                    String value = scalar(t.getValueNode());
                    if (name == null || !known.contains(name) || Template.BUILT_INS.contains(name)) {
                        problem(
                                t.getKeyNode(),
                                path + ".set",
                                label + ": set names '" + name
                                        + "', which is not a variable declared under 'variables'");
                    } else if (value == null) {
                        problem(
                                t.getValueNode(),
                                path + ".set." + name,
                                label + ": the value of " + name + " must be a text");
                    } else {
                        Template tv = template(t.getValueNode(), path + ".set." + name, value, known);
                        if (tv != null) {
                            set.put(name, tv);
                        }
                    }
                }
            } else {
                problem(sn, path + ".set", label + ": set must be a mapping of variable: value");
            }
        }
        return new Script.Response(
                text, ai, weight, delay, Map.copyOf(set), m.getStartMark().getLine() + 1);
    }

    private Script.Line line(Node node, String path, String label, Set<String> known, Map<String, List<String>> roles) {
        if (!(node instanceof MappingNode m)) {
            problem(node, path, label + ": a line is a mapping {role, template, delay_seconds}");
            return null;
        }
        Map<String, NodeTuple> f = fields(m, path, Set.of("role", "template", "delay_seconds"));
        String role = requiredString(f, m, "role", path);
        if (role != null && !roles.containsKey(role)) {
            problem(
                    f.get("role").getValueNode(),
                    path + ".role",
                    label + ": role '" + role
                            + "' is not declared under 'roles'"
                            + (roles.isEmpty() ? "" : " (roles: " + String.join(", ", roles.keySet()) + ")"));
        }
        String src = requiredString(f, m, "template", path);
        Template t = src == null ? null : template(f.get("template").getValueNode(), path + ".template", src, known);
        double delay = doubleField(f, "delay_seconds", path, 0, 24 * 3600, 0);
        return role == null || t == null ? null : new Script.Line(role, t, delay);
    }

    private Script.Settings settings(NodeTuple tuple) {
        Script.Settings d = Script.Settings.DEFAULTS;
        if (tuple == null) {
            return d;
        }
        Node n = tuple.getValueNode();
        if (!(n instanceof MappingNode m)) {
            problem(n, "settings", "settings must be a mapping");
            return d;
        }
        Map<String, NodeTuple> f = fields(
                m,
                "settings",
                Set.of(
                        "groups",
                        "reply_rate",
                        "cooldown_seconds",
                        "max_replies_per_group_per_hour",
                        "max_replies_per_day",
                        "history_window",
                        "answer_fleet"));
        List<Long> groups = new ArrayList<>();
        for (String g : stringList(f.get("groups"), "settings.groups", "settings")) {
            try {
                groups.add(Long.parseLong(g));
            } catch (NumberFormatException e) {
                problem(
                        f.get("groups").getValueNode(),
                        "settings.groups",
                        "settings.groups: '" + g + "' is not a chat id (a number such as -1001234567890)");
            }
        }
        boolean answerFleet = false;
        if (f.containsKey("answer_fleet")) {
            String b = scalar(f.get("answer_fleet").getValueNode());
            if (!"true".equals(b) && !"false".equals(b)) {
                problem(f.get("answer_fleet").getValueNode(), "settings.answer_fleet", "answer_fleet is true or false");
            }
            answerFleet = "true".equals(b);
        }
        return new Script.Settings(
                List.copyOf(groups),
                doubleField(f, "reply_rate", "settings", 0, 1, d.replyRate()),
                intField(f, "cooldown_seconds", "settings", 0, 24 * 3600, d.cooldownSeconds()),
                intField(f, "max_replies_per_group_per_hour", "settings", 0, 10_000, d.maxRepliesPerGroupPerHour()),
                intField(f, "max_replies_per_day", "settings", 0, 100_000, d.maxRepliesPerDay()),
                intField(f, "history_window", "settings", 0, 200, d.historyWindow()),
                answerFleet);
    }

    private Map<String, List<String>> roles(NodeTuple tuple) {
        if (tuple == null) {
            return Map.of();
        }
        Node n = tuple.getValueNode();
        if (!(n instanceof MappingNode m)) {
            problem(n, "roles", "roles must be a mapping of role: [account ids]");
            return Map.of();
        }
        Map<String, List<String>> roles = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String name = scalar(t.getKeyNode());
            if (name == null || !VARIABLE.matcher(name).matches()) {
                problem(t.getKeyNode(), "roles", "role name '" + name + "' must be letters, digits and _");
                continue;
            }
            List<String> accounts = stringList(t, "roles." + name, "role " + name);
            if (accounts.isEmpty()) {
                problem(t.getValueNode(), "roles." + name, "role " + name + " needs at least one account id");
            }
            roles.put(name, accounts);
        }
        return Map.copyOf(roles);
    }

    // --- helpers -----------------------------------------------------------------------------

    private Template template(Node at, String path, String source, Set<String> known) {
        if (source.length() > 4096) {
            problem(at, path, "the text is " + source.length() + " characters; Telegram messages hold at most 4096");
            return null;
        }
        int before = problems.size();
        Template t = Template.compile(source, msg -> problem(at, path, msg));
        for (String v : t.variables()) {
            if (!known.contains(v)) {
                problem(
                        at,
                        path,
                        "the template uses {{" + v + "}}, which is not a known variable; use one of "
                                + String.join(", ", new java.util.TreeSet<>(known))
                                + " or declare it under 'variables'");
            }
        }
        return problems.size() == before ? t : null;
    }

    /** The mapping's fields by key; unknown and duplicate keys are problems. */
    private Map<String, NodeTuple> fields(MappingNode m, String path, Set<String> allowed) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = scalar(t.getKeyNode());
            String where = path.isEmpty() ? String.valueOf(key) : path + "." + key;
            if (key == null) {
                problem(t.getKeyNode(), path, "keys must be plain names");
            } else if (!allowed.contains(key)) {
                problem(
                        t.getKeyNode(),
                        where,
                        "'" + key + "' is not a known key here; expected one of "
                                + String.join(", ", new java.util.TreeSet<>(allowed)));
            } else if (out.containsKey(key)) {
                problem(t.getKeyNode(), where, "'" + key + "' appears twice");
            } else {
                out.put(key, t);
            }
        }
        return out;
    }

    private String requiredString(Map<String, NodeTuple> f, Node owner, String key, String path) {
        if (!f.containsKey(key)) {
            problem(owner, path, (path.isEmpty() ? "the script" : path) + " needs '" + key + "'");
            return null;
        }
        return optionalString(f, key, path);
    }

    private String optionalString(Map<String, NodeTuple> f, String key, String path) {
        NodeTuple t = f.get(key);
        if (t == null) {
            return null;
        }
        String s = scalar(t.getValueNode());
        if (s == null || (isNull(t.getValueNode()))) {
            problem(t.getValueNode(), join(path, key), "'" + key + "' must be a text");
            return null;
        }
        return s;
    }

    private List<String> stringList(NodeTuple t, String path, String label) {
        if (t == null) {
            return List.of();
        }
        Node n = t.getValueNode();
        if (n instanceof SequenceNode s) {
            List<String> out = new ArrayList<>();
            for (Node item : s.getValue()) {
                String v = scalar(item);
                if (v == null) {
                    problem(item, path, label + ": expected a list of texts");
                } else {
                    out.add(v);
                }
            }
            return List.copyOf(out);
        }
        problem(n, path, label + ": expected a list, e.g. [a, b]");
        return List.of();
    }

    private int intField(Map<String, NodeTuple> f, String key, String path, int min, int max, int dflt) {
        NodeTuple t = f.get(key);
        if (t == null) {
            return dflt;
        }
        String s = scalar(t.getValueNode());
        try {
            int v = Integer.parseInt(s == null ? "" : s.strip());
            if (v < min || v > max) {
                problem(
                        t.getValueNode(),
                        join(path, key),
                        key + " must be between " + min + " and " + max + ", not " + v);
                return dflt;
            }
            return v;
        } catch (NumberFormatException e) {
            problem(t.getValueNode(), join(path, key), key + " must be a whole number, not '" + s + "'");
            return dflt;
        }
    }

    private double doubleField(Map<String, NodeTuple> f, String key, String path, double min, double max, double dflt) {
        NodeTuple t = f.get(key);
        if (t == null) {
            return dflt;
        }
        String s = scalar(t.getValueNode());
        try {
            double v = Double.parseDouble(s == null ? "" : s.strip());
            if (!(v >= min && v <= max)) {
                problem(
                        t.getValueNode(),
                        join(path, key),
                        key + " must be between " + fmt(min) + " and " + fmt(max) + ", not " + s);
                return dflt;
            }
            return v;
        } catch (NumberFormatException e) {
            problem(t.getValueNode(), join(path, key), key + " must be a number, not '" + s + "'");
            return dflt;
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private void checkTags(Node node, String path, int depth) {
        if (depth > MAX_NESTING) {
            return;
        }
        if (!PLAIN_TAGS.contains(node.getTag())) {
            problem(
                    node,
                    path,
                    "the YAML tag " + node.getTag().getValue()
                            + " is not allowed; scripts use plain texts, numbers, lists and mappings");
        }
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                checkTags(t.getKeyNode(), path, depth + 1);
                checkTags(t.getValueNode(), path, depth + 1);
            }
        } else if (node instanceof SequenceNode s) {
            for (Node n : s.getValue()) {
                checkTags(n, path, depth + 1);
            }
        }
    }

    private static String scalar(Node n) {
        return n instanceof ScalarNode s && !Tag.NULL.equals(s.getTag()) ? s.getValue() : null;
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String lower(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            b.append(Character.toLowerCase(s.charAt(i)));
        }
        return b.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    private void problem(Node at, String path, String message) {
        Mark mark = at == null ? null : at.getStartMark();
        problems.add(new ScriptProblem(
                mark == null ? 1 : mark.getLine() + 1, mark == null ? 1 : mark.getColumn() + 1, path, message));
    }
}
