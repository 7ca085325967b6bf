package io.groupai.fleet.workflows.rebalance;

/**
 * A planned move and how it went.
 *
 * @param detail the migration's own words (it names account, server and step) once it ended
 */
public record MoveOutcome(RebalanceMove move, State state, String detail) {

    public enum State {
        PENDING,
        RUNNING,
        MOVED,
        FAILED
    }

    public MoveOutcome with(State state, String detail) {
        return new MoveOutcome(move, state, detail);
    }
}
