package io.groupai.fleet.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The seed's {@code multi_account_config.json}, accepted as written: {@code accounts} (id, port or
 * base_url, weight, enabled, max_concurrent, auth_file, optional launch command), {@code router}
 * (host, port, strategy, health_check_interval, health_check_timeout, auto_restart) and
 * {@code logging} (level, file). Fields the seed does not have are optional with defaults:
 * allowed_fails, cooldown_time, queue_size, queue_timeout, request_timeout, startup_timeout, health_path,
 * api_key_file; per account api_key (sent to the upstream) and launch_command.
 */
public record RouterConfig(List<Account> accounts, Router router, Logging logging) {

    public record Account(
            String id,
            String baseUrl,
            int port,
            int weight,
            boolean enabled,
            int maxConcurrent,
            List<String> launchCommand,
            String upstreamApiKey) {

        public boolean managed() {
            return !launchCommand.isEmpty();
        }

        /** Never prints the upstream key. */
        @Override
        public String toString() {
            return "Account[" + id + " " + baseUrl + " weight=" + weight + " enabled=" + enabled + " max_concurrent="
                    + maxConcurrent + "]";
        }
    }

    public record Router(
            String host,
            int port,
            Strategy strategy,
            Duration healthCheckInterval,
            Duration healthCheckTimeout,
            boolean autoRestart,
            String healthPath,
            int allowedFails,
            Duration cooldownTime,
            int queueSize,
            Duration queueTimeout,
            Duration requestTimeout,
            Duration startupTimeout,
            String apiKeyFile) {}

    public record Logging(String level, String file) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads and validates the file; a bad file fails with a message naming the field. */
    public static RouterConfig load(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IOException("cannot read routing pool config " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static RouterConfig parse(String json) throws IOException {
        return parse(JSON.readTree(json));
    }

    public static RouterConfig parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the config must be a JSON object");
        }
        List<Account> accounts = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        JsonNode list = root.path("accounts");
        if (!list.isMissingNode() && !list.isArray()) {
            throw new IllegalArgumentException("accounts must be a list");
        }
        for (int i = 0; i < list.size(); i++) {
            Account a = account(list.get(i), i);
            if (!ids.add(a.id())) {
                throw new IllegalArgumentException("accounts[" + i + "]: duplicate id " + a.id());
            }
            accounts.add(a);
        }
        JsonNode r = root.path("router");
        String strategyName = text(r, "strategy", "roundrobin");
        Strategy strategy = Strategy.parse(strategyName);
        Router router = new Router(
                text(r, "host", "0.0.0.0"),
                intValue(r, "port", 8080, 0, 65535, "router.port"),
                strategy,
                seconds(r, "health_check_interval", 30, "router.health_check_interval"),
                seconds(r, "health_check_timeout", 5, "router.health_check_timeout"),
                r.path("auto_restart").asBoolean(true),
                text(r, "health_path", "/health"),
                intValue(r, "allowed_fails", 3, 1, 1_000_000, "router.allowed_fails"),
                seconds(r, "cooldown_time", 30, "router.cooldown_time"),
                intValue(r, "queue_size", 0, 0, 1_000_000, "router.queue_size"),
                seconds(r, "queue_timeout", 10, "router.queue_timeout"),
                seconds(r, "request_timeout", 600, "router.request_timeout"),
                seconds(r, "startup_timeout", 60, "router.startup_timeout"),
                text(r, "api_key_file", "auth_profiles/key.txt"));
        JsonNode l = root.path("logging");
        Logging logging = new Logging(text(l, "level", "INFO"), text(l, "file", null));
        return new RouterConfig(List.copyOf(accounts), router, logging);
    }

    private static Account account(JsonNode n, int i) {
        String where = "accounts[" + i + "]";
        if (!n.isObject()) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        String id = text(n, "id", null);
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(where + ": id is required");
        }
        where = "account " + id;
        String baseUrl = text(n, "base_url", null);
        int port;
        if (baseUrl != null) {
            URI uri;
            try {
                uri = URI.create(baseUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": base_url is not a URL: " + baseUrl);
            }
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        where + ": base_url must be http://host[:port] (got " + baseUrl + ")");
            }
            port = uri.getPort() > 0 ? uri.getPort() : 80;
            baseUrl = baseUrl.replaceAll("/+$", "");
        } else {
            port = intValue(n, "port", -1, 1, 65535, where + ": port");
            if (port < 0) {
                throw new IllegalArgumentException(where + ": port or base_url is required");
            }
            baseUrl = "http://" + text(n, "host", "127.0.0.1") + ":" + port;
        }
        List<String> launch = new ArrayList<>();
        JsonNode cmd = n.has("launch_command") ? n.get("launch_command") : n.path("command");
        if (cmd.isTextual() && !cmd.asText().isBlank()) {
            launch.addAll(List.of("/bin/sh", "-c", cmd.asText()));
        } else if (cmd.isArray()) {
            cmd.forEach(c -> launch.add(c.asText()));
        }
        return new Account(
                id,
                baseUrl,
                port,
                intValue(n, "weight", 1, 1, 1_000_000, where + ": weight"),
                n.path("enabled").asBoolean(true),
                intValue(n, "max_concurrent", 0, 0, 1_000_000, where + ": max_concurrent"),
                List.copyOf(launch),
                text(n, "api_key", null));
    }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? dflt : v.asText();
    }

    private static int intValue(JsonNode n, String field, int dflt, int min, int max, String name) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToInt() || !v.isNumber()) {
            throw new IllegalArgumentException(name + " must be a whole number (got " + v + ")");
        }
        int value = v.asInt();
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    name + " must be between " + min + " and " + max + " (got " + value + ")");
        }
        return value;
    }

    private static Duration seconds(JsonNode n, String field, double dflt, String name) {
        JsonNode v = n.path(field);
        double s = dflt;
        if (!v.isMissingNode() && !v.isNull()) {
            if (!v.isNumber() || v.asDouble() < 0) {
                throw new IllegalArgumentException(name + " must be a number of seconds >= 0 (got " + v + ")");
            }
            s = v.asDouble();
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** The config {@code init} writes: the seed's example, upstreams on 2048, 2049, 2050. */
    public static String example() {
        return """
                {
                  "accounts": [
                    {"id": "account_a", "auth_file": "auth_profiles/saved/account_a.json", "port": 2048, "weight": 2, "enabled": true, "max_concurrent": 3},
                    {"id": "account_b", "auth_file": "auth_profiles/saved/account_b.json", "port": 2049, "weight": 1, "enabled": true, "max_concurrent": 3},
                    {"id": "account_c", "auth_file": "auth_profiles/saved/account_c.json", "port": 2050, "weight": 1, "enabled": true, "max_concurrent": 3}
                  ],
                  "router": {
                    "port": 8080,
                    "host": "0.0.0.0",
                    "strategy": "roundrobin",
                    "health_check_interval": 30,
                    "health_check_timeout": 5,
                    "auto_restart": true
                  },
                  "logging": {
                    "level": "INFO",
                    "file": "logs/router_manager.log"
                  }
                }
                """;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
