package io.groupai.fleet.node;

import io.groupai.fleet.workflows.TaskQueues;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's configuration. Keys are the same in the properties file and in the environment;
 * environment variables win over the file (so one file can serve several local nodes).
 *
 * <pre>
 * NODE_ID              required; [a-z0-9][a-z0-9._-]{0,62}; the agent polls node-&lt;NODE_ID&gt;
 * NODE_TOKEN           required; secret sent as Authorization: Bearer, never logged
 * DEPLOY_DIR           required (the launcher exports it); absolute or relative to the working dir
 * TEMPORAL_ADDRESS     default 127.0.0.1:7233
 * TEMPORAL_NAMESPACE   default default
 * CONTROL_PLANE_URL    default http://127.0.0.1:8080
 * HEARTBEAT_INTERVAL   default 30s (also 500ms, 2m, PT30S, or plain seconds)
 * TELEGRAM_RUNTIME     simulated (default) | tdlib
 * SESSION_MAX_UNPACKED default 512MB: largest unpacked session archive (bytes, KB, MB, GB)
 * SIM_POLL_TIMEOUT     default 25s: long-poll wait of the simulated network
 * METRICS_ADDRESS      default 127.0.0.1:0: where GET /metrics (Prometheus text) is served; port 0 picks
 *                      a free one (written to run/metrics.port); off disables it
 * EXIT_AFTER_CONTROL_PLANE_LOST  default off: exit when no heartbeat has been accepted for this
 *                      long (e.g. 3m). For throw-away nodes such as the local demo's; a real node
 *                      keeps running and fences itself by its lease instead.
 * </pre>
 */
public record NodeConfig(
        String nodeId,
        String nodeToken,
        Path deployDir,
        String temporalAddress,
        String temporalNamespace,
        URI controlPlaneUrl,
        Duration heartbeatInterval,
        String telegramRuntime,
        long sessionMaxUnpackedBytes,
        Duration simPollTimeout,
        Duration exitAfterControlPlaneLost,
        InetSocketAddress metricsAddress) {

    public static final String CONFIG_ENV = "GROUPAI_NODE_CONFIG";
    static final List<String> KEYS = List.of(
            "NODE_ID",
            "NODE_TOKEN",
            "DEPLOY_DIR",
            "TEMPORAL_ADDRESS",
            "TEMPORAL_NAMESPACE",
            "CONTROL_PLANE_URL",
            "HEARTBEAT_INTERVAL",
            "TELEGRAM_RUNTIME",
            "SESSION_MAX_UNPACKED",
            "SIM_POLL_TIMEOUT",
            "EXIT_AFTER_CONTROL_PLANE_LOST",
            "METRICS_ADDRESS");

    /** Every problem at once, so an operator fixes the file in one go. */
    public static final class InvalidConfigException extends RuntimeException {
        public InvalidConfigException(List<String> problems) {
            super("invalid worker-node configuration:\n  - " + String.join("\n  - ", problems));
        }
    }

    /** The config file named by {@code args[0]} or {@code GROUPAI_NODE_CONFIG} (optional), then the environment. */
    public static NodeConfig load(String[] args, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        String file = args.length > 0 ? args[0] : env.get(CONFIG_ENV);
        if (file != null && !file.isBlank()) {
            Path path = Path.of(file);
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                props.load(r);
            } catch (IOException e) {
                throw new InvalidConfigException(
                        List.of("cannot read config file " + path.toAbsolutePath() + ": " + e));
            }
            for (String k : props.stringPropertyNames()) {
                values.put(k.strip(), props.getProperty(k).strip());
            }
        }
        for (String k : KEYS) {
            String v = env.get(k);
            if (v != null && !v.isBlank()) {
                values.put(k, v.strip());
            }
        }
        return from(values);
    }

    public static NodeConfig from(Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        for (String k : values.keySet()) {
            if (!KEYS.contains(k)) {
                problems.add("unknown key " + k + " (known: " + String.join(", ", KEYS) + ")");
            }
        }
        String nodeId = values.get("NODE_ID");
        if (nodeId == null) {
            problems.add("NODE_ID is required");
        } else if (!TaskQueues.NODE_ID.matcher(nodeId).matches()) {
            problems.add("NODE_ID '" + nodeId + "' must match " + TaskQueues.NODE_ID.pattern());
        }
        String token = values.get("NODE_TOKEN");
        if (token == null) {
            problems.add("NODE_TOKEN is required (the token the control plane issued for this node)");
        }
        Path deployDir = null;
        if (values.get("DEPLOY_DIR") == null) {
            problems.add("DEPLOY_DIR is required (the launcher sets it from its own location)");
        } else {
            deployDir = Path.of(values.get("DEPLOY_DIR")).toAbsolutePath().normalize();
        }
        String temporal = values.getOrDefault("TEMPORAL_ADDRESS", "127.0.0.1:7233");
        if (!temporal.matches("(\\[[0-9a-fA-F:]+]|[A-Za-z0-9.-]+):\\d{1,5}")) {
            problems.add("TEMPORAL_ADDRESS '" + temporal + "' must be host:port");
        }
        String namespace = values.getOrDefault("TEMPORAL_NAMESPACE", "default");
        URI controlPlane = null;
        String cp = values.getOrDefault("CONTROL_PLANE_URL", "http://127.0.0.1:8080");
        try {
            controlPlane = URI.create(cp);
            if (!("http".equals(controlPlane.getScheme()) || "https".equals(controlPlane.getScheme()))
                    || controlPlane.getHost() == null) {
                problems.add("CONTROL_PLANE_URL '" + cp + "' must be an http:// or https:// URL");
            }
        } catch (IllegalArgumentException e) {
            problems.add("CONTROL_PLANE_URL '" + cp + "' is not a URL: " + e.getMessage());
        }
        Duration heartbeat = duration("HEARTBEAT_INTERVAL", values.getOrDefault("HEARTBEAT_INTERVAL", "30s"), problems);
        Duration simPoll = duration("SIM_POLL_TIMEOUT", values.getOrDefault("SIM_POLL_TIMEOUT", "25s"), problems);
        String runtime = values.getOrDefault("TELEGRAM_RUNTIME", "simulated").toLowerCase(Locale.ROOT);
        if (!runtime.equals("simulated") && !runtime.equals("tdlib")) {
            problems.add("TELEGRAM_RUNTIME '" + runtime + "' must be simulated or tdlib");
        }
        long maxUnpacked =
                bytes("SESSION_MAX_UNPACKED", values.getOrDefault("SESSION_MAX_UNPACKED", "512MB"), problems);
        String exitAfter = values.getOrDefault("EXIT_AFTER_CONTROL_PLANE_LOST", "off");
        Duration exitAfterLost = exitAfter.equalsIgnoreCase("off")
                ? null
                : duration("EXIT_AFTER_CONTROL_PLANE_LOST", exitAfter, problems);
        String metrics = values.getOrDefault("METRICS_ADDRESS", "127.0.0.1:0");
        InetSocketAddress metricsAddress = null;
        if (!metrics.equalsIgnoreCase("off")) {
            Matcher m = HOST_PORT.matcher(metrics);
            if (m.matches() && Integer.parseInt(m.group(2)) <= 65535) {
                metricsAddress = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
            } else {
                problems.add("METRICS_ADDRESS '" + metrics + "' must be host:port (e.g. 127.0.0.1:9464) or off");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new NodeConfig(
                nodeId,
                token,
                deployDir,
                temporal,
                namespace,
                controlPlane,
                heartbeat,
                runtime,
                maxUnpacked,
                simPoll,
                exitAfterLost,
                metricsAddress);
    }

    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9.-]+|\\[[0-9a-fA-F:]+]):(\\d{1,5})");

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    static Duration duration(String key, String v, List<String> problems) {
        try {
            Matcher m = SIMPLE_DURATION.matcher(v.toLowerCase(Locale.ROOT));
            Duration d;
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                d = switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(n);
                };
            } else {
                d = Duration.parse(v);
            }
            if (d.toMillis() < 100 || d.toHours() > 24) {
                problems.add(key + " '" + v + "' must be between 100ms and 24h");
            }
            return d;
        } catch (DateTimeParseException | NumberFormatException e) {
            problems.add(key + " '" + v + "' is not a duration (e.g. 30s, 500ms, 2m, PT30S)");
            return null;
        }
    }

    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(b|kb|mb|gb)?");

    static long bytes(String key, String v, List<String> problems) {
        Matcher m = BYTES.matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            problems.add(key + " '" + v + "' is not a size (e.g. 512MB)");
            return -1;
        }
        try {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2);
            long factor = switch (unit) {
                case "kb" -> 1024L;
                case "mb" -> 1024L * 1024;
                case "gb" -> 1024L * 1024 * 1024;
                default -> 1L;
            };
            long bytes = Math.multiplyExact(n, factor);
            if (bytes < 1024) {
                problems.add(key + " '" + v + "' is too small");
            }
            return bytes;
        } catch (ArithmeticException | NumberFormatException e) {
            problems.add(key + " '" + v + "' is too large");
            return -1;
        }
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "NodeConfig[nodeId=" + nodeId + ", deployDir=" + deployDir + ", temporalAddress=" + temporalAddress
                + ", temporalNamespace=" + temporalNamespace + ", controlPlaneUrl=" + controlPlaneUrl
                + ", heartbeatInterval=" + heartbeatInterval + ", telegramRuntime=" + telegramRuntime
                + ", sessionMaxUnpackedBytes=" + sessionMaxUnpackedBytes + ", exitAfterControlPlaneLost="
                + (exitAfterControlPlaneLost == null ? "off" : exitAfterControlPlaneLost) + ", nodeToken=***]";
    }
}
