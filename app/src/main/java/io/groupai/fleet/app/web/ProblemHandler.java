package io.groupai.fleet.app.web;

import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.sessions.SessionArchiveInspector;
import jakarta.validation.ConstraintViolationException;
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
import tools.jackson.core.JacksonException;

/**
 * Turns every client mistake into RFC 9457 problem+json that says what is wrong and how to fix
 * it. Field problems are listed under {@code errors}. Nothing leaves as Spring's default error body: what
 * fails outside a controller is answered by {@link ProblemErrorController}.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    /** Parser messages quote the input; a hostile body must not come back whole. */
    private static final int MAX_CAUSE_CHARS = 300;

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
        ProblemDetail problem =
                problem(HttpStatus.UNPROCESSABLE_CONTENT, "Session cannot run on TDLib", e.getMessage());
        problem.setProperty("session_format", e.format());
        problem.setProperty("dc_id", e.dcId());
        problem.setProperty("user_id", e.userId());
        return problem;
    }

    /** A concurrent request created the same thing between our check and our insert. */
    @ExceptionHandler(DuplicateKeyException.class)
    ProblemDetail duplicate(DuplicateKeyException e) {
        log.info("duplicate key: {}", e.getMostSpecificCause().getMessage());
        return problem(
                HttpStatus.CONFLICT,
                "Conflict",
                "it already exists (created concurrently); fetch it and retry with PUT if it must change");
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (tooLarge(ex) != null) {
            ProblemDetail body = problem(
                    HttpStatus.CONTENT_TOO_LARGE,
                    "Request body too large",
                    tooLarge(ex).getMessage());
            return handleExceptionInternal(ex, body, headers, HttpStatus.CONTENT_TOO_LARGE, request);
        }
        ProblemDetail body = malformed(ex.getMostSpecificCause().getMessage());
        return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
    }

    /** JSON a controller parses itself (e.g. the master_config.json import), past a parser limit or broken. */
    @ExceptionHandler(JacksonException.class)
    ProblemDetail unreadableJson(JacksonException e) {
        return malformed(e.getOriginalMessage());
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ProblemDetail constraintViolation(ConstraintViolationException e) {
        List<FieldProblem> errors = e.getConstraintViolations().stream()
                .map(v -> new FieldProblem(String.valueOf(v.getPropertyPath()), v.getMessage()))
                .toList();
        return withErrors(
                problem(HttpStatus.BAD_REQUEST, "Invalid input", "the request has invalid values; see errors"), errors);
    }

    /** Anything not foreseen: still problem+json, and no exception text or stack trace leaves the server. */
    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e, WebRequest request) {
        log.error("unexpected failure answering {}", request.getDescription(false), e);
        return problem(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "Internal error",
                "the server failed to answer this request; retry later, and report it if it persists");
    }

    private static ProblemDetail malformed(String cause) {
        String firstLine =
                cause == null ? "unreadable body" : cause.lines().findFirst().orElse(cause);
        if (firstLine.length() > MAX_CAUSE_CHARS) {
            firstLine = firstLine.substring(0, MAX_CAUSE_CHARS) + "...";
        }
        return problem(
                HttpStatus.BAD_REQUEST,
                "Malformed JSON",
                "the request body is not valid JSON for this endpoint: " + firstLine
                        + ". Send a JSON object with Content-Type: application/json.");
    }

    private static Throwable tooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodySizeLimitFilter.BodyTooLargeException) {
                return t;
            }
        }
        return null;
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
