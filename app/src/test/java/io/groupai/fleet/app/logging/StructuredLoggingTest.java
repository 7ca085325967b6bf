package io.groupai.fleet.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.activity.ActivityInfo;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class StructuredLoggingTest {

    record Reserve(String accountId, String serverId, String workflowId) {}

    record Probe(String nodeId) {}

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void consoleIsJsonUnlessATerminalOrTextIsAskedFor() {
        assertThat(LogFormatEnvironmentPostProcessor.json("auto", false)).isTrue();
        assertThat(LogFormatEnvironmentPostProcessor.json("auto", true)).isFalse();
        assertThat(LogFormatEnvironmentPostProcessor.json("text", false)).isFalse();
        assertThat(LogFormatEnvironmentPostProcessor.json("JSON", true)).isTrue();

        StandardEnvironment redirected = new StandardEnvironment();
        redirected.getPropertySources().addFirst(new MapPropertySource("t", Map.of("GROUPAI_LOG_FORMAT", "json")));
        new LogFormatEnvironmentPostProcessor().postProcessEnvironment(redirected, new SpringApplication());
        assertThat(redirected.getProperty(LogFormatEnvironmentPostProcessor.CONSOLE_FORMAT))
                .isEqualTo("ecs");

        StandardEnvironment text = new StandardEnvironment();
        text.getPropertySources().addFirst(new MapPropertySource("t", Map.of("GROUPAI_LOG_FORMAT", "text")));
        new LogFormatEnvironmentPostProcessor().postProcessEnvironment(text, new SpringApplication());
        assertThat(text.getProperty(LogFormatEnvironmentPostProcessor.CONSOLE_FORMAT))
                .isNull();

        StandardEnvironment explicit = new StandardEnvironment();
        explicit.getPropertySources()
                .addFirst(new MapPropertySource(
                        "t",
                        Map.of(
                                LogFormatEnvironmentPostProcessor.CONSOLE_FORMAT,
                                "logstash",
                                "GROUPAI_LOG_FORMAT",
                                "json")));
        new LogFormatEnvironmentPostProcessor().postProcessEnvironment(explicit, new SpringApplication());
        assertThat(explicit.getProperty(LogFormatEnvironmentPostProcessor.CONSOLE_FORMAT))
                .isEqualTo("logstash");
    }

    @Test
    void activitiesLogWithTheirWorkflowAccountAndServer() {
        List<String> keys = ActivityMdcInterceptor.put(
                info("allocate-1234-chunk-0", "AllocationReserve"),
                new Object[] {new Reserve("639277356155", "manila", "allocate-1234-chunk-0")});
        assertThat(MDC.getCopyOfContextMap())
                .containsEntry("workflow_id", "allocate-1234-chunk-0")
                .containsEntry("activity", "AllocationReserve")
                .containsEntry("account_id", "639277356155")
                .containsEntry("server_id", "manila");
        keys.forEach(MDC::remove);
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();

        ActivityMdcInterceptor.put(info("server-op-worker-01", "Probe"), new Object[] {"worker-01"});
        assertThat(MDC.get("server_id")).isEqualTo("worker-01");
        assertThat(MDC.get("account_id")).isNull();
        MDC.clear();

        ActivityMdcInterceptor.put(
                info("account-639277356598", "NodeAgentStartAccount"), new Object[] {new Probe("los-angeles")});
        assertThat(MDC.get("account_id")).isEqualTo("639277356598");
        assertThat(MDC.get("server_id")).isEqualTo("los-angeles");
    }

    private static ActivityInfo info(String workflowId, String activityType) {
        return (ActivityInfo) Proxy.newProxyInstance(
                ActivityInfo.class.getClassLoader(), new Class<?>[] {ActivityInfo.class}, (proxy, method, args) -> {
                    return switch (method.getName()) {
                        case "getWorkflowId" -> workflowId;
                        case "getActivityType" -> activityType;
                        default -> null;
                    };
                });
    }
}
