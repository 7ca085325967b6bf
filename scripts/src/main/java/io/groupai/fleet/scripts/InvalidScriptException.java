package io.groupai.fleet.scripts;

import java.util.List;
import java.util.stream.Collectors;

/** A script was rejected; {@link #problems()} has every problem found, each with its line and column. */
public final class InvalidScriptException extends RuntimeException {

    private final List<ScriptProblem> problems;

    public InvalidScriptException(List<ScriptProblem> problems) {
        super(problems.stream().map(ScriptProblem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<ScriptProblem> problems() {
        return problems;
    }
}
