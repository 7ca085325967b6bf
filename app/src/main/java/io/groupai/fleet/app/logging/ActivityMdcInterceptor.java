package io.groupai.fleet.app.logging;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;

/**
 * Puts the ids an activity works on into the logging MDC while it runs, so every log line of it
 * (JSON logs carry the MDC) names {@code workflow_id}, {@code activity}, and where known
 * {@code account_id} and {@code server_id}: from its arguments (records with accountId(),
 * serverId() or nodeId()) or from the workflow id ({@code account-<id>}, {@code server-op-<id>},
 * {@code bootstrap-<id>}, {@code node-<id>}, {@code failover-<id>}).
 */
public class ActivityMdcInterceptor extends WorkerInterceptorBase {

    static final String WORKFLOW_ID = "workflow_id";
    static final String ACTIVITY = "activity";
    static final String ACCOUNT_ID = "account_id";
    static final String SERVER_ID = "server_id";

    private static final Map<String, String> SERVER_PREFIXES =
            Map.of("server-op-", SERVER_ID, "bootstrap-", SERVER_ID, "node-", SERVER_ID, "failover-", SERVER_ID);

    @Override
    public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
        return new ActivityInboundCallsInterceptorBase(next) {
            private ActivityExecutionContext context;

            @Override
            public void init(ActivityExecutionContext context) {
                this.context = context;
                super.init(context);
            }

            @Override
            public ActivityOutput execute(ActivityInput input) {
                List<String> keys = put(context.getInfo(), input.getArguments());
                try {
                    return super.execute(input);
                } finally {
                    keys.forEach(MDC::remove);
                }
            }
        };
    }

    /** Sets the MDC entries for this activity; returns the keys it set. */
    static List<String> put(ActivityInfo info, Object[] arguments) {
        List<String> keys = new ArrayList<>();
        set(keys, WORKFLOW_ID, info.getWorkflowId());
        set(keys, ACTIVITY, info.getActivityType());
        String workflowId = info.getWorkflowId();
        if (workflowId != null) {
            if (workflowId.startsWith("account-")) {
                set(keys, ACCOUNT_ID, workflowId.substring("account-".length()));
            }
            SERVER_PREFIXES.forEach((prefix, key) -> {
                if (workflowId.startsWith(prefix)) {
                    set(keys, key, workflowId.substring(prefix.length()));
                }
            });
        }
        if (arguments != null) {
            for (Object argument : arguments) {
                if (argument != null && argument.getClass().isRecord()) {
                    set(keys, ACCOUNT_ID, accessor(argument, "accountId"));
                    String server = accessor(argument, "serverId");
                    set(keys, SERVER_ID, server != null ? server : accessor(argument, "nodeId"));
                }
            }
        }
        return keys;
    }

    private static void set(List<String> keys, String key, String value) {
        if (value != null && !value.isBlank() && !keys.contains(key)) {
            MDC.put(key, value);
            keys.add(key);
        }
    }

    private static String accessor(Object record, String name) {
        try {
            Method method = record.getClass().getMethod(name);
            Object value = method.invoke(record);
            return value instanceof String s ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
