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
 * TEMPORAL_ADDRESS     default 127.0.0.1:7233; bootstrap writes the control plane's Temporal gate here
 * TEMPORAL_NAMESPACE   default default
 * TEMPORAL_TLS         default false: true when the gate (or frontend) speaks TLS
 * TEMPORAL_TLS_CA      optional PEM CA certificate to trust for it (a self-signed gate); default: the JVM's
 * TEMPORAL_PAYLOAD_KEY optional base64 AES key: Temporal payloads are encrypted (the control plane's
 *                      GROUPAI_TEMPORAL_PAYLOAD_KEY; bootstrap writes it)
 * CONTROL_PLANE_URL    default http://127.0.0.1:8080; must be https:// unless its host is loopback
 * CONTROL_PLANE_TLS_CA optional PEM certificate(s) to trust for an https:// control plane (a private CA or
 *                      a self-signed certificate); default: the JVM's CAs
 * CONTROL_PLANE_ALLOW_INSECURE_HTTP  default false: true accepts an http:// control plane on another host
 *                      (a private lab network only: the node token and sessions would cross it in clear)
 * HEARTBEAT_INTERVAL   default 30s (also 500ms, 2m, PT30S, or plain seconds)
 * TELEGRAM_RUNTIME     simulated (default) | tdlib
 * SESSION_MAX_UNPACKED default 512MB: largest unpacked session archive (bytes, KB, MB, GB)
 * SIM_POLL_TIMEOUT     default 25s: long-poll wait of the simulated network
 * METRICS_ADDRESS      default 127.0.0.1:0: where GET /metrics (Prometheus text) is served; port 0 picks
 *                      a free one (written to run/metrics.port); off disables it
 * EXIT_AFTER_CONTROL_PLANE_LOST  default off: exit when no heartbeat has been accepted for this
 *                      long (e.g. 3m). For throw-away nodes such as the local demo's; a real node
 *                      keeps running and fences itself by its lease instead.
 * AI_ROUTER_URL        default none: base URL of the OpenAI-compatible routing pool (serving
 *                      /v1/chat/completions) that answers scripts' ai_generate responses
 * AI_ROUTER_API_KEY    its API key (secret: sent as a bearer token, never logged)
 * AI_ROUTER_MODEL      default "default": the model name sent to the pool
 * START_PARALLELISM    default 8 (1-256): how many accounts may be starting at once on this node (a batch
 *                      of starts from the control plane runs concurrently up to this bound)
 * </pre>
 */
public record NodeConfig(
        String nodeId,
        String nodeToken,
        Path deployDir,
        String temporalAddress,
        String temporalNamespace,
        boolean temporalTls,
        Path temporalTlsCa,
        String temporalPayloadKey,
        URI controlPlaneUrl,
        Duration heartbeatInterval,
        String telegramRuntime,
        long sessionMaxUnpackedBytes,
        Duration simPollTimeout,
        Duration exitAfterControlPlaneLost,
        URI aiRouterUrl,
        String aiRouterApiKey,
        String aiRouterModel,
        InetSocketAddress metricsAddress,
        int startParallelism,
        Path controlPlaneTlsCa) {

    public static final String CONFIG_ENV = "GROUPAI_NODE_CONFIG";
    static final List<String> KEYS = List.of(
            "NODE_ID",
            "NODE_TOKEN",
            "DEPLOY_DIR",
            "TEMPORAL_ADDRESS",
            "TEMPORAL_NAMESPACE",
            "TEMPORAL_TLS",
            "TEMPORAL_TLS_CA",
            "TEMPORAL_PAYLOAD_KEY",
            "CONTROL_PLANE_URL",
            "CONTROL_PLANE_TLS_CA",
            "CONTROL_PLANE_ALLOW_INSECURE_HTTP",
            "HEARTBEAT_INTERVAL",
            "TELEGRAM_RUNTIME",
            "SESSION_MAX_UNPACKED",
            "SIM_POLL_TIMEOUT",
            "EXIT_AFTER_CONTROL_PLANE_LOST",
            "AI_ROUTER_URL",
            "AI_ROUTER_API_KEY",
            "AI_ROUTER_MODEL",
            "METRICS_ADDRESS",
            "START_PARALLELISM");

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
        boolean temporalTls = bool("TEMPORAL_TLS", values.getOrDefault("TEMPORAL_TLS", "false"), problems);
        Path temporalTlsCa = null;
        if (values.get("TEMPORAL_TLS_CA") != null) {
            temporalTlsCa =
                    Path.of(values.get("TEMPORAL_TLS_CA")).toAbsolutePath().normalize();
            if (!temporalTls) {
                problems.add("TEMPORAL_TLS_CA is set but TEMPORAL_TLS is not true");
            } else if (!Files.isReadable(temporalTlsCa)) {
                problems.add("TEMPORAL_TLS_CA " + temporalTlsCa + " is not a readable file");
            }
        }
        String payloadKey = values.get("TEMPORAL_PAYLOAD_KEY");
        if (payloadKey != null) {
            try {
                io.groupai.fleet.workflows.codec.AesGcmPayloadCodec.fromBase64(payloadKey);
            } catch (IllegalArgumentException e) {
                problems.add("TEMPORAL_PAYLOAD_KEY: " + e.getMessage()); // never the key itself
            }
        }
        boolean allowInsecureHttp = bool(
                "CONTROL_PLANE_ALLOW_INSECURE_HTTP",
                values.getOrDefault("CONTROL_PLANE_ALLOW_INSECURE_HTTP", "false"),
                problems);
        URI controlPlane = null;
        String cp = values.getOrDefault("CONTROL_PLANE_URL", "http://127.0.0.1:8080");
        try {
            controlPlane = URI.create(cp);
            if (!("http".equals(controlPlane.getScheme()) || "https".equals(controlPlane.getScheme()))
                    || controlPlane.getHost() == null) {
                problems.add("CONTROL_PLANE_URL '" + cp + "' must be an http:// or https:// URL");
            } else if ("http".equals(controlPlane.getScheme())
                    && !isLoopback(controlPlane.getHost())
                    && !allowInsecureHttp) {
                problems.add("CONTROL_PLANE_URL '" + cp + "' is plain http to another host: the node token and "
                        + "session archives would cross the network in clear. Use https://, or set "
                        + "CONTROL_PLANE_ALLOW_INSECURE_HTTP=true on a private network you trust");
            }
        } catch (IllegalArgumentException e) {
            problems.add("CONTROL_PLANE_URL '" + cp + "' is not a URL: " + e.getMessage());
        }
        Path controlPlaneTlsCa = null;
        if (values.get("CONTROL_PLANE_TLS_CA") != null) {
            controlPlaneTlsCa =
                    Path.of(values.get("CONTROL_PLANE_TLS_CA")).toAbsolutePath().normalize();
            if (!Files.isReadable(controlPlaneTlsCa)) {
                problems.add("CONTROL_PLANE_TLS_CA " + controlPlaneTlsCa + " is not a readable file");
            }
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
        URI aiRouter = null;
        String ai = values.get("AI_ROUTER_URL");
        if (ai != null && !ai.isBlank()) {
            try {
                aiRouter = URI.create(ai);
                if (!("http".equals(aiRouter.getScheme()) || "https".equals(aiRouter.getScheme()))
                        || aiRouter.getHost() == null) {
                    problems.add("AI_ROUTER_URL '" + ai + "' must be an http:// or https:// URL");
                }
            } catch (IllegalArgumentException e) {
                problems.add("AI_ROUTER_URL '" + ai + "' is not a URL: " + e.getMessage());
            }
        }
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
        int startParallelism = io.groupai.fleet.node.accounts.AccountRunner.DEFAULT_START_PARALLELISM;
        String sp = values.get("START_PARALLELISM");
        if (sp != null) {
            try {
                startParallelism = Integer.parseInt(sp);
            } catch (NumberFormatException e) {
                startParallelism = -1;
            }
            if (startParallelism < 1 || startParallelism > 256) {
                problems.add("START_PARALLELISM '" + sp + "' must be a whole number from 1 to 256");
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
                temporalTls,
                temporalTlsCa,
                payloadKey,
                controlPlane,
                heartbeat,
                runtime,
                maxUnpacked,
                simPoll,
                exitAfterLost,
                aiRouter,
                values.get("AI_ROUTER_API_KEY"),
                values.getOrDefault("AI_ROUTER_MODEL", "default"),
                metricsAddress,
                startParallelism,
                controlPlaneTlsCa);
    }

    /**
     * Replaces NODE_TOKEN in a properties file, atomically and readable by the owner only; the other
     * lines (and comments) stay as they are.
     */
    public static void storeToken(Path file, String token) throws IOException {
        if (!token.matches("[A-Za-z0-9._~+/=-]{16,512}")) {
            throw new IOException("refusing to store a node token with unexpected characters");
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.ISO_8859_1));
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().matches("NODE_TOKEN\\s*[=:].*")) {
                lines.set(i, "NODE_TOKEN=" + token);
                replaced = true;
            }
        }
        if (!replaced) {
            lines.add("NODE_TOKEN=" + token);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(
                    tmp,
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        }
        Files.write(tmp, lines, StandardCharsets.ISO_8859_1);
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Loopback by its literal name or address only: resolving a name here would trust DNS. */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost")
                || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    static boolean bool(String key, String v, List<String> problems) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> {
                problems.add(key + " '" + v + "' must be true or false");
                yield false;
            }
        };
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
                + ", temporalNamespace=" + temporalNamespace + ", temporalTls=" + temporalTls
                + (temporalTlsCa == null ? "" : ", temporalTlsCa=" + temporalTlsCa)
                + (temporalPayloadKey == null ? "" : ", temporalPayloadKey=***") + ", controlPlaneUrl="
                + controlPlaneUrl
                + (controlPlaneTlsCa == null ? "" : ", controlPlaneTlsCa=" + controlPlaneTlsCa)
                + ", heartbeatInterval=" + heartbeatInterval + ", telegramRuntime=" + telegramRuntime
                + ", sessionMaxUnpackedBytes=" + sessionMaxUnpackedBytes + ", exitAfterControlPlaneLost="
                + (exitAfterControlPlaneLost == null ? "off" : exitAfterControlPlaneLost) + ", aiRouterUrl="
                + (aiRouterUrl == null ? "none" : aiRouterUrl) + ", startParallelism=" + startParallelism
                + ", nodeToken=***, aiRouterApiKey=***]";
    }
}
