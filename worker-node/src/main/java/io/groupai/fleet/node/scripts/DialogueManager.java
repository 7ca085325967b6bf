package io.groupai.fleet.node.scripts;

import io.groupai.fleet.node.metrics.NodeMetrics;
import io.groupai.fleet.node.telegram.TelegramUpdate;
import io.groupai.fleet.scripts.ChatState;
import io.groupai.fleet.scripts.Decision;
import io.groupai.fleet.scripts.Event;
import io.groupai.fleet.scripts.Script;
import io.groupai.fleet.scripts.ScriptEngine;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dialogue of one running account: decides with the script's {@link ScriptEngine} and keeps,
 * per group, the engine's state, a bounded history window and the reply counters. It answers only
 *
 * <ul>
 *   <li>in groups the script's {@code settings.groups} and the account's own allowed groups permit;
 *   <li>never to itself nor, unless {@code settings.answer_fleet}, to another account of the fleet;
 *   <li>within the reply rate, the per-group cooldown, the per-group hourly cap and the daily cap;
 *   <li>when the fleet-wide claim for the event is granted (one answer per event, not one per account).
 * </ul>
 *
 * A reload that fails keeps the version that works. Events of one account arrive on one thread; the
 * manager is synchronized anyway because timers tick from the scheduler.
 */
public final class DialogueManager {

    private static final Logger log = LoggerFactory.getLogger(DialogueManager.class);
    static final int MAX_GROUPS = 1_000;

    /** Sends a text as the account. */
    @FunctionalInterface
    public interface Outbox {
        void send(long chatId, String text);
    }

    private final String accountId;
    private final Supplier<Optional<LoadedScript>> source;
    private final Outbox outbox;
    private final ReplyClaims claims;
    private final AiClient ai;
    private final ScenePlayer player;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final LongPredicate fleetMember;
    private final RandomGenerator random;
    private volatile Set<Long> allowedGroups = Set.of();

    private volatile LoadedScript script;
    private final Map<Long, Group> groups = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Group> eldest) {
            return size() > MAX_GROUPS;
        }
    };
    private LocalDate day;
    private int repliesToday;

    private static final class Group {
        ChatState chat = new ChatState();
        final ArrayDeque<String> history = new ArrayDeque<>();
        Event last;
        long lastReplyAt = Long.MIN_VALUE;
        long hourStart;
        int repliesThisHour;
    }

    public DialogueManager(
            String accountId,
            Supplier<Optional<LoadedScript>> source,
            Outbox outbox,
            ReplyClaims claims,
            AiClient ai,
            ScenePlayer player,
            ScheduledExecutorService scheduler,
            Clock clock,
            LongPredicate fleetMember,
            RandomGenerator random) {
        this.accountId = accountId;
        this.source = source;
        this.outbox = outbox;
        this.claims = claims;
        this.ai = ai;
        this.player = player;
        this.scheduler = scheduler;
        this.clock = clock;
        this.fleetMember = fleetMember;
        this.random = random;
        reload();
    }

    /**
     * Groups the operator allowed for this account ({@code PUT /api/v1/group-ai/accounts/{id}/groups}, delivered
     * by the control plane): when set, the script runs only there (and only where the script's own
     * {@code settings.groups} allows too); empty: the script's groups, or every group.
     */
    public void setAllowedGroups(Set<Long> groups) {
        this.allowedGroups = Set.copyOf(groups);
    }

    /**
     * Re-reads the active version. A version that cannot be loaded keeps the current one running;
     * no installed version stops the dialogue.
     */
    public synchronized void reload() {
        Optional<LoadedScript> next;
        try {
            next = source.get();
        } catch (RuntimeException e) {
            log.error(
                    "account {}: the new script version cannot be loaded ({}); keeping {}",
                    accountId,
                    e.getMessage(),
                    script == null ? "no script" : script.scriptId() + " " + script.version());
            return;
        }
        LoadedScript previous = script;
        script = next.orElse(null);
        if (previous == null || script == null || !previous.version().equals(script.version())) {
            // Scene ids may differ between versions: every group starts over; counters stay.
            groups.values().forEach(g -> g.chat = new ChatState());
        }
    }

    public Optional<LoadedScript> script() {
        return Optional.ofNullable(script);
    }

    /** An incoming update; {@code selfUserId}/{@code selfUsername} identify the account (mentions, echoes). */
    public synchronized void onUpdate(TelegramUpdate u, long selfUserId, String selfUsername) {
        LoadedScript s = script;
        if (u.fromUserId() == selfUserId) {
            return;
        }
        if (s == null) {
            // Every incoming message gets a decision on /metrics: an account without a script too.
            if (u.type() == TelegramUpdate.Type.NEW_MESSAGE) {
                NodeMetrics.scriptDecision("no_script");
            }
            return;
        }
        Script.Settings settings = s.engine().script().settings();
        if (!groupAllowed(u.chatId(), settings)) {
            return;
        }
        Group g = groups.computeIfAbsent(u.chatId(), id -> new Group());
        boolean mentions = selfUsername != null
                && !selfUsername.isEmpty()
                && u.text() != null
                && u.text().contains("@" + selfUsername);
        Event event = new Event(
                u.type() == TelegramUpdate.Type.NEW_MEMBER ? Event.Type.NEW_MEMBER : Event.Type.MESSAGE,
                u.chatId(),
                u.chatTitle(),
                u.fromUserId(),
                u.fromFirstName(),
                null,
                null,
                u.text(),
                mentions,
                // The sender of the answered message is known to the runtime (0 when not a reply or unknown).
                selfUserId != 0 && selfUserId != Long.MIN_VALUE && u.replyToUserId() == selfUserId);
        g.last = event;
        if (u.type() == TelegramUpdate.Type.NEW_MESSAGE && u.text() != null && settings.historyWindow() > 0) {
            g.history.addLast((u.fromFirstName() == null ? "?" : u.fromFirstName()) + ": " + u.text());
            while (g.history.size() > settings.historyWindow()) {
                g.history.removeFirst();
            }
        }
        if (!settings.answerFleet() && fleetMember.test(u.fromUserId())) {
            return; // another account of the fleet: only a multi-account scene talks to it
        }
        ScriptEngine engine = s.engine();
        long now = clock.millis();
        if (engine.match(g.chat, event) < 0) {
            engine.decide(g.chat, event, now, random); // records the message for quiet timers
            NodeMetrics.scriptDecision("no_match");
            return;
        }
        if (!withinLimits(g, settings, now)) {
            NodeMetrics.scriptDecision("limited");
            return;
        }
        String key = eventKey(u);
        if (!claims.claim(accountId, u.chatId(), key)) {
            log.debug("account {}: event {} in chat {} is answered by another account", accountId, key, u.chatId());
            NodeMetrics.scriptDecision("claimed_elsewhere");
            return;
        }
        engine.decide(g.chat, event, now, random)
                .ifPresentOrElse(
                        d -> {
                            NodeMetrics.scriptDecision("reply");
                            act(s, g, u.chatId(), key, d, now);
                        },
                        () -> NodeMetrics.scriptDecision("no_match"));
    }

    /** Timers, schedules and scene timeouts of every group; called about once a second. */
    public synchronized void tick() {
        LoadedScript s = script;
        if (s == null || !s.engine().hasTimers()) {
            return;
        }
        long now = clock.millis();
        Script.Settings settings = s.engine().script().settings();
        for (Map.Entry<Long, Group> e : List.copyOf(groups.entrySet())) {
            Group g = e.getValue();
            Event context = g.last == null ? Event.message(e.getKey(), null, 0, null, null) : g.last;
            Optional<Decision> d = s.engine().tick(g.chat, context, now, random);
            if (d.isEmpty() || !withinLimits(g, settings, now)) {
                continue;
            }
            String key = "tick:" + d.get().sceneId() + ":" + now / 60_000;
            if (claims.claim(accountId, e.getKey(), key)) {
                act(s, g, e.getKey(), key, d.get(), now);
            }
        }
    }

    private boolean groupAllowed(long chatId, Script.Settings settings) {
        Set<Long> own = allowedGroups;
        if (!own.isEmpty() && !own.contains(chatId)) {
            return false;
        }
        return settings.groups().isEmpty() || settings.groups().contains(chatId);
    }

    private boolean withinLimits(Group g, Script.Settings settings, long now) {
        LocalDate today = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(now), ZoneOffset.UTC);
        if (!today.equals(day)) {
            day = today;
            repliesToday = 0;
        }
        if (now - g.hourStart >= 3_600_000L) {
            g.hourStart = now;
            g.repliesThisHour = 0;
        }
        if (repliesToday >= settings.maxRepliesPerDay()
                || g.repliesThisHour >= settings.maxRepliesPerGroupPerHour()
                || (g.lastReplyAt != Long.MIN_VALUE && now - g.lastReplyAt < settings.cooldownSeconds() * 1000L)) {
            return false;
        }
        return settings.replyRate() >= 1.0 || random.nextDouble() < settings.replyRate();
    }

    private void act(LoadedScript s, Group g, long chatId, String key, Decision d, long now) {
        g.lastReplyAt = now;
        g.repliesThisHour++;
        repliesToday++;
        long delayMs = Math.round(d.delaySeconds() * 1000);
        switch (d.kind()) {
            case SEND -> {
                if (d.text() != null && !d.text().isBlank()) {
                    later(delayMs, () -> outbox.send(chatId, d.text()));
                }
            }
            case AI_GENERATE -> {
                List<String> history = List.copyOf(g.history);
                later(delayMs, () -> {
                    try {
                        outbox.send(chatId, ai.complete(d.aiPrompt(), history));
                    } catch (AiClient.AiUnavailableException e) {
                        log.warn(
                                "account {}: script {} scene {} in chat {}: {}",
                                accountId,
                                s.scriptId(),
                                d.sceneId(),
                                chatId,
                                e.getMessage());
                    }
                });
            }
            case PLAY ->
                later(0, () -> {
                    try {
                        player.play(s.engine().script(), chatId, key, d);
                    } catch (Exception e) {
                        log.warn(
                                "account {}: script {} multi-account scene {} in chat {} not started: {}",
                                accountId,
                                s.scriptId(),
                                d.sceneId(),
                                chatId,
                                e.getMessage());
                    }
                });
        }
    }

    private void later(long delayMs, Runnable r) {
        Runnable guarded = () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("account {}: scripted reply failed: {}", accountId, e.toString());
            }
        };
        if (delayMs <= 0) {
            scheduler.execute(guarded);
        } else {
            scheduler.schedule(guarded, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    /** The same for every account that receives the event (same sender, second and text). */
    static String eventKey(TelegramUpdate u) {
        return (u.type() == TelegramUpdate.Type.NEW_MEMBER ? "member:" : "message:")
                + u.fromUserId() + ":"
                + (u.date() == null ? 0 : u.date().getEpochSecond()) + ":"
                + (u.text() == null ? 0 : Integer.toHexString(u.text().hashCode()));
    }
}
