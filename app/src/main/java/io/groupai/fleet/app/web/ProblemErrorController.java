package io.groupai.fleet.app.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's default error body for everything that fails outside a controller (filters,
 * the servlet container, requests the dispatcher never reaches): the answer is problem+json as
 * everywhere else, and never carries an exception message or a stack trace.
 */
@RestController
public class ProblemErrorController implements ErrorController {

    /** A detail our own filters set for the problem they reject. */
    static final String DETAIL_ATTRIBUTE = ProblemErrorController.class.getName() + ".detail";

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer i ? HttpStatus.resolve(i) : null;
        if (status == null) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        Object detail = request.getAttribute(DETAIL_ATTRIBUTE);
        String path = String.valueOf(request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
        if (detail == null) {
            if (status.is5xxServerError()) {
                Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
                log.error(
                        "{} {} failed with {}",
                        status.value(),
                        path,
                        status.getReasonPhrase(),
                        exception instanceof Throwable t ? t : null);
                detail = "the server failed to answer this request; it changed nothing you can rely on. "
                        + "Retry later, and report it if it persists";
            } else {
                detail = "the request was refused (" + status.value() + " " + status.getReasonPhrase()
                        + "); check the method, path, headers and body against the API in the README";
            }
        }
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemHandler.problem(status, status.getReasonPhrase(), detail.toString()));
    }
}
