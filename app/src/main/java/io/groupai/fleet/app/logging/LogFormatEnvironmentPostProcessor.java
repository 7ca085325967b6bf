package io.groupai.fleet.app.logging;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Chooses the console log format before logging starts: JSON (one ECS event per line, with the MDC
 * ids) when the output goes to a file, a pipe or a log collector, plain text when a person watches
 * a terminal. {@code GROUPAI_LOG_FORMAT=json|text} overrides the guess; an explicit
 * {@code logging.structured.format.console} wins over both.
 */
public class LogFormatEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String CONSOLE_FORMAT = "logging.structured.format.console";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty(CONSOLE_FORMAT)) {
            return;
        }
        String wanted = environment.getProperty("GROUPAI_LOG_FORMAT", "auto");
        if (json(wanted, isTerminal())) {
            environment
                    .getPropertySources()
                    .addLast(new MapPropertySource("groupai-log-format", Map.of(CONSOLE_FORMAT, "ecs")));
        }
    }

    /** JSON unless asked for text, or (auto) when stdout is a terminal. */
    static boolean json(String wanted, boolean terminal) {
        return switch (wanted.toLowerCase(Locale.ROOT)) {
            case "json", "ecs" -> true;
            case "text", "plain" -> false;
            default -> !terminal;
        };
    }

    /**
     * Whether stdout is a terminal. From JDK 22, System.console() is non-null even when redirected and
     * Console.isTerminal() tells; on JDK 21 a non-null console means a terminal.
     */
    static boolean isTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
