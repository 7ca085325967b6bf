package io.groupai.fleet.app.cli;

import io.groupai.fleet.router.RouterMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code groupai}: the operators' command line over the REST API (a token from {@code groupai token}
 * or an admin's API token, in {@code GROUPAI_TOKEN}). Long operations follow their workflow with a
 * progress bar on stderr; {@code --json} prints the API's JSON on stdout for scripts.
 *
 * <p>Exit codes: 0 done, 1 the operation or request failed (the problem's detail is printed), 2 bad
 * usage, 3 not signed in or not allowed.
 */
@Command(
        name = "groupai",
        mixinStandardHelpOptions = true,
        version = "groupai 0.1.0",
        description = "Operate a Group AI Fleet control plane through its REST API.",
        subcommands = {
            GroupAiCli.Token.class,
            GroupAiCli.Status.class,
            GroupAiCli.Servers.class,
            GroupAiCli.Accounts.class,
            GroupAiCli.Allocate.class,
            GroupAiCli.Batch.class,
            GroupAiCli.Migrate.class,
            GroupAiCli.Deploy.class,
            GroupAiCli.Server.class,
            GroupAiCli.Reconcile.class,
            GroupAiCli.Upgrade.class,
            GroupAiCli.Workflow.class,
            GroupAiCli.Router.class
        })
public final class GroupAiCli {

    static final String GA = "/api/v1/group-ai";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int FAILED = 1;
    private static final int USAGE = 2;
    private static final int UNAUTHORIZED = 3;

    @Option(
            names = "--url",
            description = "The control plane (env GROUPAI_URL, default http://127.0.0.1:8080).",
            defaultValue = "${env:GROUPAI_URL:-http://127.0.0.1:8080}")
    String url;

    @Option(
            names = "--token",
            description = "A bearer token (env GROUPAI_TOKEN): `groupai token` prints one; admins create API tokens.",
            defaultValue = "${env:GROUPAI_TOKEN}")
    String token;

    @Option(names = "--json", description = "Print the API's JSON on stdout (progress still goes to stderr).")
    boolean json;

    PrintWriter out;
    PrintWriter err;
    Duration pollInterval = Duration.ofSeconds(1);
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** `java -jar app.jar groupai ...` (FleetApplication hands it here) or the `groupai` script. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    public static boolean handles(String[] args) {
        return args.length > 0 && args[0].equals("groupai");
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        GroupAiCli cli = new GroupAiCli();
        cli.out = out;
        cli.err = err;
        String[] rest = handles(args) ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        CommandLine line = new CommandLine(cli).setOut(out).setErr(err);
        // The router's own options (--config, --port, --help) are its business, not picocli's.
        line.getSubcommands().get("router").setUnmatchedOptionsArePositionalParams(true);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ApiFailure f) {
                err.println("groupai: " + f.getMessage());
                return f.exitCode;
            }
            if (e instanceof IOException io) {
                err.println("groupai: cannot reach " + cli.url + ": " + io
                        + " (is the control plane running? set --url or GROUPAI_URL)");
                return FAILED;
            }
            throw e;
        });
        int code = line.execute(rest);
        out.flush();
        err.flush();
        return code;
    }

    // ---- HTTP ----

    /** A request that did not succeed: the problem's detail, and the exit code it maps to. */
    static final class ApiFailure extends RuntimeException {
        final int exitCode;

        ApiFailure(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path));
        } catch (IllegalArgumentException e) {
            throw new ApiFailure(
                    "--url " + url + " is not a control plane URL such as http://127.0.0.1:8080 (--url or GROUPAI_URL)",
                    USAGE);
        }
        request.timeout(Duration.ofSeconds(120)).header("Accept", "application/json");
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token.strip());
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer =
                response.body() == null || response.body().isBlank() ? JSON.createObjectNode() : parse(response.body());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return answer;
        }
        StringBuilder message = new StringBuilder(method + " " + path + ": " + status + " " + problem(answer, status));
        for (JsonNode e : answer.path("errors")) {
            message.append(System.lineSeparator())
                    .append("  ")
                    .append(where(e))
                    .append(e.path("message").asString(""));
        }
        if (status == 401) {
            message.append(System.lineSeparator())
                    .append("  sign in: export GROUPAI_TOKEN=$(groupai token --username <name>)");
        }
        throw new ApiFailure(message.toString(), status == 401 || status == 403 ? UNAUTHORIZED : FAILED);
    }

    /**
     * A problem's detail without the field errors it lists (they follow, one per line), or its title
     * when the detail is only those errors.
     */
    static String problem(JsonNode answer, int status) {
        String detail = answer.path("detail").asString(answer.path("title").asString("HTTP " + status));
        JsonNode first = answer.path("errors").path(0);
        if (first.isObject()) {
            String listed = where(first) + first.path("message").asString("");
            int at = detail.indexOf(listed);
            if (at == 0) {
                return answer.path("title").asString("HTTP " + status);
            }
            if (at > 0) {
                return detail.substring(0, at).replaceAll("[\\s:;,]+$", "");
            }
        }
        return detail;
    }

    /** An error's place: its field, or the line and column of a file (a script). */
    private static String where(JsonNode error) {
        String field = error.path("field").asString("");
        if (!field.isEmpty()) {
            return field + ": ";
        }
        if (error.path("line").isNumber()) {
            return "line " + error.path("line").asInt() + ", column "
                    + error.path("column").asInt() + ": ";
        }
        return "";
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (RuntimeException notJson) {
            ObjectNode wrapped = JSON.createObjectNode();
            // An HTML error page (a proxy, or the servlet container refusing the URL): its title says enough.
            java.util.regex.Matcher title =
                    java.util.regex.Pattern.compile("(?is)<title>(.*?)</title>").matcher(body);
            String text = title.find() ? title.group(1).strip() + " (not an answer of the API)" : body.strip();
            wrapped.put("detail", text.length() > 300 ? text.substring(0, 300) + "..." : text);
            return wrapped;
        }
    }

    /** A local file the command reads; a missing one or one that is not JSON is bad usage (exit 2). */
    static JsonNode readJsonFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ApiFailure("cannot read " + file + ": " + e, USAGE);
        }
        try {
            return JSON.readTree(text);
        } catch (tools.jackson.core.JacksonException e) {
            tools.jackson.core.TokenStreamLocation at = e.getLocation();
            throw new ApiFailure(
                    file + " is not JSON"
                            + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                            // Jackson's "(start marker at [Source: REDACTED ...])" says nothing to an operator.
                            + ": " + e.getOriginalMessage().replaceAll("\\s*\\(start marker at .*", ""),
                    USAGE);
        }
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return call("GET", path, null);
    }

    JsonNode post(String path, Object body) throws IOException, InterruptedException {
        return call("POST", path, body);
    }

    static String query(Map<String, Object> params) {
        List<String> parts = new ArrayList<>();
        params.forEach((k, v) -> {
            if (v != null && !v.toString().isBlank()) {
                parts.add(k + "=" + URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
            }
        });
        return parts.isEmpty() ? "" : "?" + String.join("&", parts);
    }

    void printJson(JsonNode node) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    }

    // ---- following a workflow ----

    /**
     * Follows a workflow to its end: a progress bar on stderr (a line per change when stderr is not a
     * terminal), then its result. Exit code 1 unless it completed and its result says no failure.
     */
    int follow(String workflowId) throws IOException, InterruptedException {
        Progress bar = new Progress(err, System.console() != null);
        JsonNode run;
        while (true) {
            run = get(GA + "/workflows/" + URLEncoder.encode(workflowId, StandardCharsets.UTF_8));
            String status = run.path("status").asString("UNKNOWN");
            bar.show(workflowId, status, run.path("progress"));
            if (!status.equals("RUNNING")) {
                break;
            }
            Thread.sleep(pollInterval.toMillis());
        }
        bar.end();
        if (json) {
            printJson(run);
        } else {
            printOutcome(run);
        }
        return succeeded(run) ? 0 : FAILED;
    }

    static boolean succeeded(JsonNode run) {
        if (!run.path("status").asString().equals("COMPLETED")) {
            return false;
        }
        JsonNode result = run.path("result");
        if (result.path("success").isBoolean()) {
            return result.path("success").asBoolean();
        }
        return result.path("failed").asInt(0) == 0;
    }

    private void printOutcome(JsonNode run) {
        out.println(
                run.path("workflow_id").asString() + ": " + run.path("status").asString());
        JsonNode failure = run.path("failure");
        if (!failure.isMissingNode() && !failure.isNull()) {
            out.println("  failure: "
                    + (failure.isObject() ? failure.path("message").asString(failure.toString()) : failure.asString()));
        }
        JsonNode progress = run.path("progress");
        if (!run.path("status").asString().equals("COMPLETED") && progress.isArray()) {
            // No result to show: where each step or server stopped is what tells what went wrong.
            out.println("  progress:");
            progress.forEach(item -> out.println("    " + oneLine(item)));
        }
        JsonNode result = run.path("result");
        if (result.isObject()) {
            result.properties().forEach(e -> {
                JsonNode v = e.getValue();
                if (v.isValueNode()) {
                    out.println("  " + e.getKey() + ": " + v.asString());
                } else if (v.isArray()) {
                    out.println("  " + e.getKey() + ": " + v.size() + " item(s)");
                    int shown = 0;
                    for (JsonNode item : v) {
                        if (shown++ == 20) {
                            out.println("    ... (--json for all)");
                            break;
                        }
                        out.println("    " + oneLine(item));
                    }
                }
            });
        }
    }

    static String oneLine(JsonNode item) {
        if (!item.isObject()) {
            return item.asString(item.toString());
        }
        List<String> parts = new ArrayList<>();
        item.properties().forEach(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                parts.add(e.getKey() + "=" + e.getValue().asString());
            } else if (e.getValue().isObject()) {
                // One level down: a reconciliation item is {"drift": {kind, account_id, ...}, "outcome"}.
                String inner = oneLine(e.getValue());
                if (!inner.isEmpty()) {
                    parts.add(inner);
                }
            }
        });
        return String.join(" ", parts);
    }

    /** Renders a workflow's progress query as a bar: done of total, and what runs now. */
    static final class Progress {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final boolean terminal;
        private String last = "";

        Progress(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        void show(String workflowId, String status, JsonNode progress) {
            int[] fraction = fraction(progress);
            String text = workflowId + " " + status + " " + label(progress);
            String line = fraction == null
                    ? text
                    : bar(fraction[0], fraction[1]) + " " + fraction[0] + "/" + fraction[1] + "  " + text;
            if (line.equals(last)) {
                return;
            }
            last = line;
            if (terminal) {
                err.print("\r" + line + "\u001b[K");
            } else {
                err.println(line);
            }
            err.flush();
        }

        void end() {
            if (terminal) {
                err.println();
            }
        }

        static String bar(int done, int total) {
            int filled = total <= 0 ? 0 : Math.min(WIDTH, done * WIDTH / total);
            int percent = total <= 0 ? 0 : Math.min(100, done * 100 / total);
            return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] "
                    + String.format(Locale.ROOT, "%3d%%", percent);
        }

        /** [done, total] when the progress says it; null when it does not (a phase only). */
        static int[] fraction(JsonNode p) {
            if (p.isObject() && p.has("accounts") && p.has("placed")) {
                int total =
                        Math.max(p.path("accounts").asInt(), p.path("planned").asInt());
                int done = p.path("placed").asInt() + p.path("failed").asInt();
                return total > 0 ? new int[] {Math.min(done, total), total} : null;
            }
            if (p.isObject() && p.has("total_servers") && p.has("servers")) {
                // A reconciliation: servers compared of the servers to compare.
                int total = p.path("total_servers").asInt();
                return total > 0 ? new int[] {Math.min(p.path("servers").asInt(), total), total} : null;
            }
            if (p.isArray() && !p.isEmpty()) {
                int done = 0;
                for (JsonNode item : p) {
                    String state = stateOf(item);
                    if (!state.isEmpty() && !inProgress(state)) {
                        done++;
                    }
                }
                return new int[] {done, p.size()};
            }
            return null;
        }

        static String label(JsonNode p) {
            if (p.isObject() && p.has("placed")) {
                return "placed " + p.path("placed").asInt() + ", failed "
                        + p.path("failed").asInt();
            }
            if (p.isObject() && p.has("phase")) {
                return "phase " + p.path("phase").asString() + ", drifts "
                        + p.path("drifts").asInt() + ", repaired "
                        + p.path("repaired").asInt();
            }
            if (p.isArray()) {
                JsonNode pending = null;
                for (JsonNode item : p) {
                    String state = stateOf(item);
                    if (inProgress(state) && !state.equals("pending")) {
                        return describe(item, state);
                    }
                    if (pending == null && state.equals("pending")) {
                        pending = item;
                    }
                }
                if (pending != null) {
                    return describe(pending, "pending");
                }
            }
            return "";
        }

        /** A step's or server's {@code state}, or a script deployment node's {@code status}; lower case. */
        private static String stateOf(JsonNode item) {
            return item.path("state").asString(item.path("status").asString("")).toLowerCase(Locale.ROOT);
        }

        /** Still to come or under way: a step RUNNING or PENDING, a server UPGRADING. */
        private static boolean inProgress(String state) {
            return state.equals("running") || state.equals("pending") || state.equals("upgrading");
        }

        private static String describe(JsonNode item, String state) {
            String node = item.path("node_id").asString("");
            String step = item.path("step").asString("");
            String text = node.isEmpty() ? state : node + " " + state;
            return step.isEmpty() ? (node.isEmpty() ? state : text) : text + ": " + step;
        }
    }

    // ---- commands ----

    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        GroupAiCli cli;
    }

    /** Starts a workflow with a request, then follows it unless --no-wait. */
    abstract static class Starting extends Sub {
        @Option(names = "--no-wait", description = "Print the workflow id and return at once.")
        boolean noWait;

        int startAndFollow(String path, Object body) throws IOException, InterruptedException {
            JsonNode started = cli.post(path, body);
            String id = started.path("workflow_id").asString(null);
            if (id == null || noWait) {
                if (cli.json) {
                    cli.printJson(started);
                } else {
                    cli.out.println(id == null ? oneLine(started) : "started " + id + " (groupai workflow " + id + ")");
                }
                return started.path("success").isBoolean()
                                && !started.path("success").asBoolean()
                        ? FAILED
                        : 0;
            }
            return cli.follow(id);
        }
    }

    @Command(
            name = "token",
            description = "Sign in and print an access token (password from GROUPAI_PASSWORD or stdin).")
    static final class Token extends Sub {
        @Option(names = "--username", required = true)
        String username;

        @Override
        public Integer call() throws Exception {
            String password = System.getenv("GROUPAI_PASSWORD");
            if (password == null) {
                java.io.Console console = System.console();
                password = console != null
                        ? new String(console.readPassword("password for %s: ", username))
                        : new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            JsonNode answer = cli.post("/api/v1/auth/token", Map.of("username", username, "password", password));
            if (cli.json) {
                cli.printJson(answer);
            } else {
                cli.out.println(answer.path("access_token").asString());
            }
            return 0;
        }
    }

    @Command(name = "status", description = "The fleet at a glance: accounts and every server's usage.")
    static final class Status extends Sub {
        @Override
        public Integer call() throws Exception {
            JsonNode summary = cli.get(GA + "/account-allocation/summary");
            if (cli.json) {
                cli.printJson(summary);
                return 0;
            }
            cli.out.printf(
                    Locale.ROOT,
                    "accounts: %d total, %d allocated, %d unallocated, %d allocating, %d migrating, %d failed%n",
                    summary.path("total_accounts").asInt(),
                    summary.path("allocated").asInt(),
                    summary.path("unallocated").asInt(),
                    summary.path("allocating").asInt(),
                    summary.path("migrating").asInt(),
                    summary.path("failed").asInt());
            cli.out.printf(Locale.ROOT, "%-24s %9s  %s%n", "SERVER", "ACCOUNTS", "USAGE");
            summary.path("servers").properties().forEach(e -> {
                JsonNode s = e.getValue();
                cli.out.printf(
                        Locale.ROOT,
                        "%-24s %4d/%-4d  %s%n",
                        e.getKey(),
                        s.path("current").asInt(),
                        s.path("max").asInt(),
                        Progress.bar(s.path("current").asInt(), s.path("max").asInt()));
            });
            return 0;
        }
    }

    @Command(name = "servers", description = "Registered servers, filtered and paged on the server.")
    static final class Servers extends Sub {
        @Option(names = "--status")
        String status;

        @Option(names = "--health")
        String health;

        @Option(names = "--location")
        String location;

        @Option(names = "--page", defaultValue = "0")
        int page;

        @Option(names = "--size", defaultValue = "100")
        int size;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("status", status);
            q.put("health", health);
            q.put("location", location);
            q.put("page", page);
            q.put("size", size);
            JsonNode found = cli.get(GA + "/servers" + query(q));
            if (cli.json) {
                cli.printJson(found);
                return 0;
            }
            cli.out.printf(Locale.ROOT, "%-24s %-22s %-10s %-10s %8s%n", "NODE", "HOST", "STATUS", "HEALTH", "MAX");
            for (JsonNode s : found.path("items")) {
                cli.out.printf(
                        Locale.ROOT,
                        "%-24s %-22s %-10s %-10s %8d%n",
                        s.path("node_id").asString(),
                        s.path("host").asString() + ":" + s.path("port").asInt(),
                        s.path("status").asString(),
                        s.path("health").asString(),
                        s.path("max_accounts").asInt());
            }
            cli.out.println(pageLine(found));
            return 0;
        }
    }

    static String pageLine(JsonNode found) {
        return "page " + found.path("page").asInt() + " (size "
                + found.path("size").asInt() + ") of " + found.path("total").asLong() + " in all";
    }

    @Command(name = "accounts", description = "Accounts, filtered and paged on the server.")
    static final class Accounts extends Sub {
        @Option(names = "--server")
        String server;

        @Option(names = "--status")
        String status;

        @Option(names = "--unallocated")
        boolean unallocated;

        @Option(names = "--page", defaultValue = "0")
        int page;

        @Option(names = "--size", defaultValue = "100")
        int size;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("server_id", server);
            q.put("status", status);
            q.put("unallocated", unallocated ? "true" : null);
            q.put("page", page);
            q.put("size", size);
            JsonNode found = cli.get(GA + "/accounts" + query(q));
            if (cli.json) {
                cli.printJson(found);
                return 0;
            }
            cli.out.printf(Locale.ROOT, "%-20s %-20s %-14s %-16s%n", "ACCOUNT", "SERVER", "STATUS", "SCRIPT");
            for (JsonNode a : found.path("items")) {
                cli.out.printf(
                        Locale.ROOT,
                        "%-20s %-20s %-14s %-16s%n",
                        a.path("account_id").asString(),
                        a.path("server_id").asString("-"),
                        a.path("status").asString(),
                        a.path("script_id").asString("-"));
            }
            cli.out.println(pageLine(found));
            return 0;
        }
    }

    @Command(
            name = "allocate",
            description = "Allocate every unallocated account with a strategy, following its progress.")
    static final class Allocate extends Starting {
        @Option(
                names = "--strategy",
                defaultValue = "balanced",
                description = "balanced, round_robin, least_loaded, load_balance, location, affinity, isolation")
        String strategy;

        @Override
        public Integer call() throws Exception {
            return startAndFollow(GA + "/account-allocation/auto", Map.of("strategy", strategy));
        }
    }

    @Command(
            name = "batch",
            description = "Allocate from a JSON file: {\"allocations\": [{\"account_id\", \"server_id\"}]}.")
    static final class Batch extends Starting {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            return startAndFollow(GA + "/account-allocation/batch", readJsonFile(file));
        }
    }

    @Command(name = "migrate", description = "Move one account (to a server, or the best one), following its progress.")
    static final class Migrate extends Starting {
        @Parameters(paramLabel = "ACCOUNT")
        String account;

        @Option(names = "--to")
        String target;

        @Option(names = "--reason", defaultValue = "manual")
        String reason;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("account_id", account);
            if (target != null) {
                body.put("target_server_id", target);
            }
            body.put("reason", reason);
            return startAndFollow(GA + "/accounts/rebalance", body);
        }
    }

    @Command(
            name = "deploy",
            description =
                    "Deploy a script to nodes, following each node's progress. SCRIPT is a stored script's id, or a"
                            + " YAML file (e.g. examples/welcome-script.yaml), stored first as a new version.")
    static final class Deploy extends Starting {
        @Parameters(paramLabel = "SCRIPT")
        String script;

        @Option(names = "--nodes", split = ",", required = true)
        List<String> nodes;

        @Option(names = "--version")
        String version;

        @Override
        public Integer call() throws Exception {
            String scriptId = script;
            String scriptVersion = version;
            Path file = Path.of(script);
            if (script.matches("(?i).*\\.ya?ml") || Files.isRegularFile(file)) {
                String yaml;
                try {
                    yaml = Files.readString(file);
                } catch (IOException | java.io.UncheckedIOException e) {
                    throw new ApiFailure("cannot read " + file + ": " + e, USAGE);
                }
                JsonNode stored = cli.post(GA + "/scripts", Map.of("yaml", yaml));
                scriptId = stored.path("script_id").asString();
                scriptVersion = stored.path("version").asString();
                cli.err.println("stored " + file + " as script " + scriptId + " version " + scriptVersion);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("script_id", scriptId);
            if (scriptVersion != null) {
                body.put("version", scriptVersion);
            }
            body.put("node_ids", nodes);
            return startAndFollow(GA + "/scripts/deploy", body);
        }
    }

    @Command(
            name = "upgrade",
            description = "Rolling upgrade of worker nodes to the agent this control plane installs: the first node is"
                    + " the canary, then --batch-size at a time; a node that does not come back is rolled back.")
    static final class Upgrade extends Starting {
        @Option(names = "--nodes", split = ",", description = "in upgrade order (default: every active server)")
        List<String> nodes;

        @Option(names = "--batch-size")
        Integer batchSize;

        @Option(names = "--health-timeout", paramLabel = "SECONDS")
        Integer healthTimeoutSeconds;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            if (nodes != null) {
                body.put("node_ids", nodes);
            }
            if (batchSize != null) {
                body.put("batch_size", batchSize);
            }
            if (healthTimeoutSeconds != null) {
                body.put("health_timeout_seconds", healthTimeoutSeconds);
            }
            return startAndFollow(GA + "/upgrades", body);
        }
    }

    /** What a server operation does (lower case, as in the API's path). */
    enum ServerAction {
        start,
        stop,
        restart,
        status
    }

    @Command(name = "server", description = "A server operation: start, stop, restart or status of its worker process.")
    static final class Server extends Starting {
        @Parameters(index = "0", paramLabel = "ACTION", description = "start, stop, restart or status")
        ServerAction action;

        @Parameters(index = "1", paramLabel = "NODE")
        String node;

        @Override
        public Integer call() throws Exception {
            return startAndFollow(
                    GA + "/servers/" + URLEncoder.encode(node, StandardCharsets.UTF_8) + "/actions/" + action, null);
        }
    }

    @Command(name = "reconcile", description = "The reconciliation report (dry run); --repair runs a repair now.")
    static final class Reconcile extends Starting {
        @Option(names = "--repair")
        boolean repair;

        @Override
        public Integer call() throws Exception {
            if (repair) {
                return startAndFollow(GA + "/reconciliation", Map.of());
            }
            JsonNode report = cli.get(GA + "/reconciliation");
            if (cli.json) {
                cli.printJson(report);
                return 0;
            }
            JsonNode drifts = report.path("drifts");
            // A large fleet's report lists some of them: the totals count all.
            int all = drifts.size()
                    + report.path("totals").path("drifts_left_out").asInt(0);
            cli.out.println(all + " difference(s) between the database, the nodes and their disks"
                    + (all > drifts.size() ? " (" + drifts.size() + " listed)" : ""));
            for (JsonNode d : drifts) {
                cli.out.println("  " + oneLine(d));
            }
            return 0;
        }
    }

    @Command(name = "workflow", description = "A workflow's status, progress and outcome; --follow waits for its end.")
    static final class Workflow extends Sub {
        @Parameters(paramLabel = "WORKFLOW_ID")
        String workflowId;

        @Option(names = "--follow")
        boolean follow;

        @Override
        public Integer call() throws Exception {
            if (follow) {
                return cli.follow(workflowId);
            }
            JsonNode run = cli.get(GA + "/workflows/" + URLEncoder.encode(workflowId, StandardCharsets.UTF_8));
            if (cli.json) {
                cli.printJson(run);
            } else {
                cli.printOutcome(run);
                String now = Progress.label(run.path("progress"));
                if (!now.isEmpty()) {
                    cli.out.println("  now: " + now);
                }
            }
            return 0;
        }
    }

    @Command(
            name = "router",
            description =
                    "The routing pool's own commands (init, start, status, enable, disable), as in its standalone jar.",
            mixinStandardHelpOptions = false)
    static final class Router extends Sub {
        @Parameters(arity = "0..*", paramLabel = "ARGS")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            return RouterMain.run(args.toArray(String[]::new));
        }
    }
}
