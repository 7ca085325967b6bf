package io.groupai.fleet.workflows.scripts;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Control-plane side of script deployment and multi-account scenes (runs on {@code control-plane}). */
@ActivityInterface(namePrefix = "Script")
public interface ScriptActivities {

    /** Queues update_script for the node's next heartbeat; returns the command id. */
    @ActivityMethod
    long queueUpdateScript(UpdateScriptCommand command);

    /** The node the account is placed on; fails (non-retryable) when it is on none. */
    @ActivityMethod
    String nodeOf(String accountId);
}
