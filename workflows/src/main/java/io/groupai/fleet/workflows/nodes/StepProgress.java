package io.groupai.fleet.workflows.nodes;

/** One step of a long operation, for progress queries: name, state and what happened. */
public record StepProgress(String step, State state, String detail) {

    public enum State { RUNNING, DONE, FAILED }

    public static StepProgress running(String step) {
        return new StepProgress(step, State.RUNNING, null);
    }

    public StepProgress done(String detail) {
        return new StepProgress(step, State.DONE, detail);
    }

    public StepProgress failed(String detail) {
        return new StepProgress(step, State.FAILED, detail);
    }
}
