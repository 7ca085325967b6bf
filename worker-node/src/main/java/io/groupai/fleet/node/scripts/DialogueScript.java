package io.groupai.fleet.node.scripts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The subset of the seeds' script YAML the node needs to answer chats: scenes with triggers
 * ({@code new_member}, {@code keyword}, {@code regex}) and response templates. A later issue builds
 * the full script engine (next_scene flow, variables, AI replies); unknown keys are ignored here.
 */
public record DialogueScript(String scriptId, String version, List<Scene> scenes) {

    public record Scene(String id, List<Trigger> triggers, List<String> responses) {}

    public sealed interface Trigger permits NewMember, Keyword, Regex {}

    public record NewMember() implements Trigger {}

    public record Keyword(List<String> keywords) implements Trigger {}

    public record Regex(Pattern pattern) implements Trigger {}

    /** @throws IllegalArgumentException with a message naming what is wrong */
    public static DialogueScript parse(String yamlText) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20); // billion-laughs guard
        Object root = new Yaml(new SafeConstructor(options)).load(yamlText);
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("script YAML must be a mapping with script_id, version and scenes");
        }
        String scriptId = str(map.get("script_id"));
        String version = str(map.get("version"));
        List<Scene> scenes = new ArrayList<>();
        if (map.get("scenes") instanceof List<?> list) {
            int i = 0;
            for (Object s : list) {
                i++;
                if (!(s instanceof Map<?, ?> scene)) {
                    throw new IllegalArgumentException("scenes[" + i + "] is not a mapping");
                }
                scenes.add(scene(i, scene));
            }
        } else if (map.get("scenes") != null) {
            throw new IllegalArgumentException("scenes must be a list");
        }
        return new DialogueScript(scriptId, version, List.copyOf(scenes));
    }

    private static Scene scene(int index, Map<?, ?> scene) {
        String id = scene.get("id") == null ? "scene-" + index : str(scene.get("id"));
        List<Trigger> triggers = new ArrayList<>();
        if (scene.get("triggers") instanceof List<?> ts) {
            for (Object t : ts) {
                if (t instanceof Map<?, ?> trig) {
                    Trigger parsed = trigger(id, trig);
                    if (parsed != null) {
                        triggers.add(parsed);
                    }
                }
            }
        }
        List<String> responses = new ArrayList<>();
        if (scene.get("responses") instanceof List<?> rs) {
            for (Object r : rs) {
                if (r instanceof Map<?, ?> resp && resp.get("template") != null) {
                    responses.add(str(resp.get("template")));
                } else if (r instanceof String s) {
                    responses.add(s);
                }
            }
        }
        return new Scene(id, List.copyOf(triggers), List.copyOf(responses));
    }

    private static Trigger trigger(String sceneId, Map<?, ?> t) {
        String type = str(t.get("type")).toLowerCase(Locale.ROOT);
        switch (type) {
            case "new_member":
                return new NewMember();
            case "keyword":
                List<String> words = new ArrayList<>();
                if (t.get("keywords") instanceof List<?> ks) {
                    ks.forEach(k -> words.add(str(k).toLowerCase(Locale.ROOT)));
                } else if (t.get("keyword") != null) {
                    words.add(str(t.get("keyword")).toLowerCase(Locale.ROOT));
                }
                return new Keyword(List.copyOf(words));
            case "regex":
                try {
                    return new Regex(Pattern.compile(str(t.get("pattern"))));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("scene " + sceneId + ": invalid regex: " + e.getDescription());
                }
            default:
                // Trigger types of the full engine (schedule, ai...) are not handled by this minimal handler.
                return null;
        }
    }

    private static String str(Object o) {
        return o == null ? "" : String.valueOf(o);
    }
}
