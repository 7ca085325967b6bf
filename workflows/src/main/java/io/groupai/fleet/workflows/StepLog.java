package io.groupai.fleet.workflows;

import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The steps of a workflow run, for its {@code progress} query and its result. Deterministic:
 * plain state inside the workflow, nothing else.
 */
public final class StepLog {

    private final List<StepProgress> steps = new ArrayList<>();

    /**
     * Runs one step, recording it as RUNNING, then DONE with {@code describe(result)} or FAILED with the
     * cause, with its duration (workflow time, so replay gives the same numbers).
     */
    public <T> T step(String name, Supplier<T> call, Function<T, String> describe) {
        int index = steps.size();
        steps.add(StepProgress.running(name));
        long started = Workflow.currentTimeMillis();
        try {
            T result = call.get();
            steps.set(
                    index, steps.get(index).done(describe.apply(result)).took(Workflow.currentTimeMillis() - started));
            return result;
        } catch (ActivityFailure failure) {
            steps.set(index, steps.get(index).failed(causeOf(failure)).took(Workflow.currentTimeMillis() - started));
            throw failure;
        }
    }

    public List<StepProgress> snapshot() {
        return List.copyOf(steps);
    }

    /** The name of the step that failed last, or null. */
    public String failedStep() {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (steps.get(i).state() == StepProgress.State.FAILED) {
                return steps.get(i).step();
            }
        }
        return null;
    }

    /** The activity's own message (it names the server and the step), without Temporal's wrapping. */
    public static String causeOf(ActivityFailure failure) {
        Throwable cause = failure.getCause();
        if (cause instanceof ApplicationFailure app) {
            return app.getOriginalMessage();
        }
        if (cause instanceof TimeoutFailure timeout) {
            return "timed out ("
                    + timeout.getTimeoutType()
                            .name()
                            .replace("TIMEOUT_TYPE_", "")
                            .toLowerCase(java.util.Locale.ROOT)
                    + "): the node did not pick the task up or finish it in time";
        }
        return cause == null ? failure.getMessage() : cause.getMessage();
    }
}
