package io.groupai.fleet.workflows.allocation;

import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;

/** Reads activity failures for the allocation workflows: the original message and type, unwrapped. */
public final class Failures {

    private Failures() {}

    static String type(ActivityFailure failure) {
        return failure.getCause() instanceof ApplicationFailure app ? app.getType() : null;
    }

    static boolean scheduleToStartTimeout(ActivityFailure failure) {
        return failure.getCause() instanceof TimeoutFailure t
                && t.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
    }

    /** What went wrong, in the activity's own words (they name the server), or the timeout in plain words. */
    public static String message(ActivityFailure failure) {
        Throwable cause = failure.getCause();
        if (cause instanceof ApplicationFailure app) {
            return app.getOriginalMessage();
        }
        if (cause instanceof TimeoutFailure t) {
            return switch (t.getTimeoutType()) {
                case TIMEOUT_TYPE_SCHEDULE_TO_START ->
                    "no worker picked the task up from its queue in time"
                            + " (the node is down or its agent is not running)";
                case TIMEOUT_TYPE_START_TO_CLOSE -> "the activity did not finish in time";
                case TIMEOUT_TYPE_HEARTBEAT -> "the activity stopped heartbeating";
                default -> "timed out (" + t.getTimeoutType() + ")";
            };
        }
        return cause == null ? failure.getMessage() : cause.getMessage();
    }

    /** "account A on server S, step X: why". */
    static String describe(String accountId, String serverId, String step, ActivityFailure failure) {
        return describe(accountId, serverId, step, message(failure));
    }

    public static String describe(String accountId, String serverId, String step, String why) {
        return "account " + accountId + " on server " + serverId + ", step " + step + ": " + why;
    }
}
