package io.groupai.fleet.node.scripts;

import io.groupai.fleet.node.telegram.TelegramUpdate;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Minimal dialogue for one running account: the first scene whose trigger matches an update
 * produces one reply, rendered from its templates ({@code {{first_name}}}, {@code {{chat_title}}}).
 * Templates of a scene are used in turn. The script is re-read on {@link #reload()} (a new version
 * was installed), never per message.
 */
public final class DialogueHandler {

    private final Supplier<Optional<DialogueScript>> source;
    private final AtomicReference<Optional<DialogueScript>> script = new AtomicReference<>(Optional.empty());
    private final Map<String, Integer> turn = new ConcurrentHashMap<>();

    /** @param source reads the account's active script; empty when it has none */
    public DialogueHandler(Supplier<Optional<DialogueScript>> source) {
        this.source = source;
        reload();
    }

    public void reload() {
        script.set(source.get());
        turn.clear();
    }

    public Optional<DialogueScript> script() {
        return script.get();
    }

    /** The reply to {@code update}, if a scene of the active script matches it. */
    public Optional<String> replyTo(TelegramUpdate update) {
        Optional<DialogueScript> active = script.get();
        if (active.isEmpty()) {
            return Optional.empty();
        }
        for (DialogueScript.Scene scene : active.get().scenes()) {
            if (!scene.responses().isEmpty() && scene.triggers().stream().anyMatch(t -> matches(t, update))) {
                int n = turn.merge(scene.id(), 1, Integer::sum) - 1;
                return Optional.of(
                        render(scene.responses().get(n % scene.responses().size()), update));
            }
        }
        return Optional.empty();
    }

    private static boolean matches(DialogueScript.Trigger trigger, TelegramUpdate u) {
        return switch (trigger) {
            case DialogueScript.NewMember nm -> u.type() == TelegramUpdate.Type.NEW_MEMBER;
            case DialogueScript.Keyword k ->
                u.type() == TelegramUpdate.Type.NEW_MESSAGE
                        && u.text() != null
                        && k.keywords().stream()
                                .anyMatch(w -> !w.isEmpty()
                                        && u.text().toLowerCase(Locale.ROOT).contains(w));
            case DialogueScript.Regex r ->
                u.type() == TelegramUpdate.Type.NEW_MESSAGE
                        && u.text() != null
                        && r.pattern().matcher(u.text()).find();
        };
    }

    static String render(String template, TelegramUpdate u) {
        String firstName = u.fromFirstName() == null ? "" : u.fromFirstName();
        String chatTitle = u.chatTitle() == null ? "" : u.chatTitle();
        return template.replace("{{first_name}}", firstName)
                .replace("{{user.first_name}}", firstName)
                .replace("{{chat_title}}", chatTitle)
                .replace("{{chat.title}}", chatTitle);
    }
}
