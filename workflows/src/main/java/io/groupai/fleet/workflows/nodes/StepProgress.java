package io.groupai.fleet.workflows.nodes;

/**
 * One step of a long operation, for progress queries: name, state, what happened and, once it
 * ended, how long it took (workflow time; null while running or where a workflow does not time its steps).
 */
public record StepProgress(String step, State state, String detail, Long durationMillis) {

    public enum State {
        RUNNING,
        DONE,
        FAILED
    }

    public static StepProgress running(String step) {
        return new StepProgress(step, State.RUNNING, null, null);
    }

    public StepProgress done(String detail) {
        return new StepProgress(step, State.DONE, detail, null);
    }

    public StepProgress failed(String detail) {
        return new StepProgress(step, State.FAILED, detail, null);
    }

    public StepProgress took(long millis) {
        return new StepProgress(step, state, detail, millis);
    }
}
