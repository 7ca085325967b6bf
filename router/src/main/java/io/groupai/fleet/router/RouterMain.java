package io.groupai.fleet.router;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * The standalone pool, with the seed's command set:
 *
 * <pre>
 * java -jar router-all.jar init   [--config multi_account_config.json]   write an example config
 * java -jar router-all.jar start  [--config ...] [--port N] [--host H]   run the pool
 * java -jar router-all.jar status [--config ...]                         ask the running pool
 * java -jar router-all.jar enable  ID [--config ...]                     route to an instance again
 * java -jar router-all.jar disable ID [--config ...]                     stop routing to an instance
 * </pre>
 *
 * status, enable and disable talk to the running pool at the config's router.host:port, with the
 * first key of the key file (or ROUTER_API_KEY) when keys are required.
 */
public final class RouterMain {

    private RouterMain() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    public static int run(String[] args) throws Exception {
        String command = null;
        String id = null;
        Path config = Path.of("multi_account_config.json");
        Integer port = null;
        String host = null;
        List<String> rest = new ArrayList<>(List.of(args));
        for (int k = 0; k < rest.size(); k++) {
            String a = rest.get(k);
            switch (a) {
                case "--config", "-c" -> config = Path.of(rest.get(++k));
                case "--port" -> port = Integer.parseInt(rest.get(++k));
                case "--host" -> host = rest.get(++k);
                case "-h", "--help", "help" -> {
                    return usage(0);
                }
                default -> {
                    if (command == null) {
                        command = a;
                    } else if (id == null) {
                        id = a;
                    } else {
                        return usage(2);
                    }
                }
            }
        }
        if (command == null) {
            return usage(2);
        }
        return switch (command) {
            case "init" -> init(config);
            case "start" -> start(config, host, port);
            case "status" -> status(config, host, port);
            case "enable", "disable" ->
                id == null ? usage(2) : enable(config, host, port, id, command.equals("enable"));
            default -> usage(2);
        };
    }

    private static int usage(int code) {
        (code == 0 ? System.out : System.err).println("""
                usage: router <command> [--config multi_account_config.json] [--port N] [--host H]
                  init              write an example multi_account_config.json (never overwrites)
                  start             run the routing pool (--port N / --host H override router.port/host;
                                    give status, enable and disable the same)
                  status            show the running pool's instances
                  enable ID         route to instance ID again
                  disable ID        stop routing to instance ID""");
        return code;
    }

    static int init(Path config) throws IOException {
        if (Files.exists(config)) {
            System.out.println(config + " exists; not overwritten. Edit it, then: router start --config " + config);
            return 0;
        }
        Path dir = config.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.writeString(config, RouterConfig.example(), StandardCharsets.UTF_8);
        Files.createDirectories(dir.resolve("auth_profiles"));
        System.out.println("wrote " + config + " (upstreams on 127.0.0.1:2048-2050, pool on port 8080)");
        System.out.println("API keys (optional): one per line in " + dir.resolve("auth_profiles/key.txt"));
        System.out.println("next: router start --config " + config);
        return 0;
    }

    static int start(Path config, String host, Integer port) throws Exception {
        if (!Files.exists(config)) {
            System.err.println(config + " does not exist; create it with: router init --config " + config);
            return 1;
        }
        RouterConfig cfg = RouterConfig.load(config);
        configureLogging(cfg.logging(), config);
        RoutingPool pool = RoutingPool.start(RoutingPool.Options.of(config).withListen(host, port));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            pool.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    static int status(Path config, String host, Integer port) throws Exception {
        JsonNode s = call(config, host, port, "GET", "/router/status");
        if (s == null) {
            return 1;
        }
        System.out.printf(Locale.ROOT, "strategy: %s%n", s.path("strategy").asText());
        System.out.printf(
                Locale.ROOT,
                "%-16s %6s %6s %-8s %-10s %11s %9s %9s  %s%n",
                "id",
                "port",
                "weight",
                "enabled",
                "status",
                "concurrent",
                "requests",
                "failed",
                "last_heartbeat");
        for (JsonNode i : s.path("instances")) {
            System.out.printf(
                    Locale.ROOT,
                    "%-16s %6d %6d %-8s %-10s %5d/%-5d %9d %9d  %s%n",
                    i.path("id").asText(),
                    i.path("port").asInt(),
                    i.path("weight").asInt(),
                    i.path("enabled").asBoolean(),
                    i.path("status").asText(),
                    i.path("current_concurrent").asInt(),
                    i.path("max_concurrent").asInt(),
                    i.path("total_requests").asLong(),
                    i.path("failed_requests").asLong(),
                    i.path("last_heartbeat").isNull()
                            ? "never"
                            : java.time.Instant.ofEpochMilli(
                                            (long) (i.path("last_heartbeat").asDouble() * 1000))
                                    .toString());
        }
        return 0;
    }

    static int enable(Path config, String host, Integer port, String id, boolean enable) throws Exception {
        JsonNode r = call(config, host, port, "POST", "/router/instances/" + id + (enable ? "/enable" : "/disable"));
        if (r == null) {
            return 1;
        }
        System.out.println(id + ": enabled=" + r.path("enabled").asBoolean() + " status="
                + r.path("status").asText());
        return 0;
    }

    /** A call to the running pool: where the config says it listens, unless --host / --port say otherwise. */
    private static JsonNode call(Path config, String hostOption, Integer portOption, String method, String path)
            throws Exception {
        if (!Files.exists(config)) {
            System.err.println(config + " does not exist (the pool's config tells where it listens)");
            return null;
        }
        RouterConfig cfg = RouterConfig.load(config);
        String host = hostOption != null ? hostOption : cfg.router().host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        int port = portOption != null ? portOption : cfg.router().port();
        URI uri = URI.create("http://" + host + ":" + port + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        String key = System.getenv("ROUTER_API_KEY");
        Path keyFile = config.toAbsolutePath().getParent().resolve(cfg.router().apiKeyFile());
        if (key == null && Files.exists(keyFile)) {
            key = Files.readAllLines(keyFile).stream()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .findFirst()
                    .orElse(null);
        }
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = OpenAiErrors.JSON.readTree(r.body());
            if (r.statusCode() != 200) {
                System.err.println(uri + ": HTTP " + r.statusCode() + " "
                        + body.path("error").path("message").asText(r.body()));
                return null;
            }
            return body;
        } catch (IOException e) {
            System.err.println("the routing pool does not answer at " + uri + ": " + e
                    + " (is it started? router start --config " + config
                    + "; a pool started with --port/--host needs the same options here)");
            return null;
        }
    }

    /** The config's logging section: level (DEBUG, INFO, WARNING, ERROR) and file (also to the console). */
    private static void configureLogging(RouterConfig.Logging logging, Path config) throws IOException {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        String name = logging.level().toUpperCase(Locale.ROOT);
        Level level =
                Level.toLevel(name.equals("WARNING") ? "WARN" : name.equals("CRITICAL") ? "ERROR" : name, Level.INFO);
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.setLevel(Level.INFO);
        ctx.getLogger("io.groupai.fleet.router").setLevel(level);
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
        enc.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setEncoder(enc);
        console.start();
        root.addAppender(console);
        if (logging.file() != null && !logging.file().isBlank()) {
            Path file = Path.of(logging.file());
            if (!file.isAbsolute()) {
                file = config.toAbsolutePath().getParent().resolve(file);
            }
            Files.createDirectories(file.getParent());
            PatternLayoutEncoder fenc = new PatternLayoutEncoder();
            fenc.setContext(ctx);
            fenc.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
            fenc.start();
            FileAppender<ILoggingEvent> fa = new FileAppender<>();
            fa.setContext(ctx);
            fa.setFile(file.toString());
            fa.setAppend(true);
            fa.setEncoder(fenc);
            fa.start();
            root.addAppender(fa);
        }
    }
}
