package io.groupai.fleet.app.web;

import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.sessions.SessionArchiveInspector;
import java.net.URI;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every client mistake into RFC 9457 problem+json that says what is wrong and how to fix
 * it. Field problems are listed under {@code errors}.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(InvalidInputException.class)
    ProblemDetail invalid(InvalidInputException e) {
        return withErrors(problem(HttpStatus.BAD_REQUEST, "Invalid input", e.getMessage()), e.problems());
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage());
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e) {
        return problem(HttpStatus.CONFLICT, "Conflict", e.getMessage());
    }

    @ExceptionHandler(SessionArchiveInspector.ForeignSessionException.class)
    ProblemDetail foreignSession(SessionArchiveInspector.ForeignSessionException e) {
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, "Session cannot run on TDLib", e.getMessage());
        problem.setProperty("session_format", e.format());
        problem.setProperty("dc_id", e.dcId());
        problem.setProperty("user_id", e.userId());
        return problem;
    }

    /** A concurrent request created the same thing between our check and our insert. */
    @ExceptionHandler(DuplicateKeyException.class)
    ProblemDetail duplicate(DuplicateKeyException e) {
        log.info("duplicate key: {}", e.getMostSpecificCause().getMessage());
        return problem(HttpStatus.CONFLICT, "Conflict", "it already exists (created concurrently); fetch it and retry with PUT if it must change");
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        String cause = ex.getMostSpecificCause().getMessage();
        String firstLine = cause == null ? "unreadable body" : cause.lines().findFirst().orElse(cause);
        ProblemDetail body = problem(HttpStatus.BAD_REQUEST, "Malformed JSON",
                "the request body is not valid JSON for this endpoint: " + firstLine
                        + ". Send a JSON object with Content-Type: application/json.");
        return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
    }

    public static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setType(URI.create("about:blank"));
        return problem;
    }

    private static ProblemDetail withErrors(ProblemDetail problem, List<FieldProblem> errors) {
        problem.setProperty("errors", errors);
        return problem;
    }
}
