package io.groupai.fleet.app.temporal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The memo on every workflow the app starts: a sentence an operator reads in the Temporal UI's list
 * and detail views ({@code summary}, e.g. "migrate account:639277356155 — started by admin over the
 * REST API") and who started it ({@code started_by}). No secret: the subject and the user name only.
 */
public final class WorkflowMemo {

    public static final String SUMMARY = "summary";
    public static final String STARTED_BY = "started_by";

    private WorkflowMemo() {}

    /** The memo for a start of {@code workflowType} on {@code subject}, by whoever this request is. */
    public static Map<String, Object> of(String workflowType, Object input, String subject) {
        String who = startedBy();
        Map<String, Object> memo = new LinkedHashMap<>();
        memo.put(
                SUMMARY,
                WorkflowSearchAttributes.operationOf(workflowType, input) + " " + subject + " — started by " + who);
        memo.put(STARTED_BY, who);
        return memo;
    }

    private static String startedBy() {
        Authentication who = SecurityContextHolder.getContext().getAuthentication();
        return who == null || !who.isAuthenticated() || who.getName() == null
                ? "the control plane"
                : who.getName() + " over the REST API";
    }
}
