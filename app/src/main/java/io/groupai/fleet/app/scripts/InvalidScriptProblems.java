package io.groupai.fleet.app.scripts;

import io.groupai.fleet.app.web.ProblemHandler;
import io.groupai.fleet.scripts.InvalidScriptException;
import io.groupai.fleet.scripts.ScriptProblem;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** A rejected script: 400 problem+json whose errors name line, column and path of every problem. */
@RestControllerAdvice
class InvalidScriptProblems {

    @ExceptionHandler(InvalidScriptException.class)
    ProblemDetail invalidScript(InvalidScriptException e) {
        List<ScriptProblem> problems = e.problems();
        ScriptProblem first = problems.get(0);
        ProblemDetail problem = ProblemHandler.problem(
                HttpStatus.BAD_REQUEST,
                "Invalid script",
                "the script is not valid (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                        + "); first: " + first + ". Nothing was stored.");
        problem.setProperty(
                "errors",
                problems.stream()
                        .map(p -> Map.of(
                                "line", p.line(),
                                "column", p.column(),
                                "field", p.path(),
                                "message", p.message()))
                        .toList());
        return problem;
    }
}
