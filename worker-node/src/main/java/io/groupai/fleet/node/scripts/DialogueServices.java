package io.groupai.fleet.node.scripts;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every account's {@link DialogueManager} shares on a node: the fleet-wide reply claims, the
 * AI routing pool, the multi-account scene player and one scheduler for delayed replies and timers.
 */
public record DialogueServices(
        ReplyClaims claims, AiClient ai, ScenePlayer player, ScheduledExecutorService scheduler) {

    /** One account alone: every claim granted, no AI pool, no multi-account scenes. */
    public static DialogueServices standalone() {
        return new DialogueServices(ReplyClaims.ALWAYS, AiClient.NONE, ScenePlayer.NONE, newScheduler());
    }

    public static ScheduledExecutorService newScheduler() {
        return Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "dialogue-scheduler");
            t.setDaemon(true);
            return t;
        });
    }
}
