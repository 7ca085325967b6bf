package io.groupai.fleet.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's logging configuration: stdout always (the journal under systemd, the redirected log file in
 * pid-file mode), and its own daily log file only where WORKER_NODE_LOG_FILE names one (the systemd unit sets it).
 */
class AgentLogFileTest {

    @TempDir
    Path dir;

    @Test
    void withWorkerNodeLogFileTheAgentAlsoWritesThatFile() throws Exception {
        Path file = dir.resolve("logs/worker-node.log");
        LoggerContext context = configured(file);
        try {
            context.getLogger("io.groupai.fleet.node.Test").info("agent started under systemd");
            assertThat(appenders(context)).containsExactlyInAnyOrder("STDOUT", "FILE");
        } finally {
            context.stop();
        }
        assertThat(Files.readString(file)).contains("INFO", "agent started under systemd");
    }

    @Test
    void withoutItStdoutIsTheOnlyAppender() throws Exception {
        LoggerContext context = configured(null);
        try {
            assertThat(appenders(context)).containsExactly("STDOUT");
            assertThat(context.getStatusManager().getCopyOfStatusList())
                    .noneMatch(s -> s.getLevel() >= ch.qos.logback.core.status.Status.WARN);
        } finally {
            context.stop();
        }
    }

    private static LoggerContext configured(Path logFile) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        if (logFile != null) {
            context.putProperty("WORKER_NODE_LOG_FILE", logFile.toString());
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(AgentLogFileTest.class.getResource("/logback.xml"));
        return context;
    }

    private static List<String> appenders(LoggerContext context) {
        List<String> names = new ArrayList<>();
        context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(a -> names.add(a.getName()));
        return names;
    }
}
