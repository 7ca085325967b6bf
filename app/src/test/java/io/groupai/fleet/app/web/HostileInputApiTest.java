package io.groupai.fleet.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Feeds hostile bodies to every POST/PUT endpoint of the operator API: each answer must be a 4xx
 * problem+json with a detail, never a 500, Spring's default error body or a stack trace, and nothing in
 * the database may change.
 */
@FleetIntegrationTest
class HostileInputApiTest {

    private static final String SERVER = """
            {"node_id": "node-a", "host": "127.0.0.1", "port": 2222, "user": "ubuntu", "password": "pw-node-a-secret",
             "deploy_dir": "/srv/groupai", "max_accounts": 5, "location": "Manila"}""";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api api;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        assertThat(api.post("/api/v1/group-ai/servers", SERVER).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"639000000001\"}")
                        .status())
                .isEqualTo(201);
    }

    /** Bodies no endpoint may accept, as (content type, bytes). */
    static Map<String, Body> hostileBodies() {
        Map<String, Body> bodies = new LinkedHashMap<>();
        bodies.put("100,000-character key", json("{\"" + "k".repeat(100_000) + "\": 1}"));
        bodies.put(
                "100,000-character key inside servers",
                json("{\"servers\": {\"" + "n".repeat(100_000) + "\": {\"host\": \"h\"}}}"));
        bodies.put("deeply nested arrays", json("[".repeat(50_000) + "]".repeat(50_000)));
        bodies.put("deeply nested objects", json("{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000)));
        bodies.put(
                "5,000-digit number",
                json("{\"node_id\": \"n\", \"port\": 1" + "0".repeat(5_000) + ", \"account_id\": 1" + "0".repeat(5_000)
                        + ", \"strategy\": 1" + "0".repeat(5_000) + "}"));
        bodies.put(
                "huge exponent",
                json("{\"port\": 1e999999999, \"max_accounts\": 1e999999999, \"parallelism\": 1e99999999,"
                        + " \"servers\": 1e99999999, \"allocations\": 1e9999999}"));
        bodies.put(
                "wrong types",
                json("{\"node_id\": [1, 2], \"host\": {\"a\": 1}, \"port\": \"abc\", \"max_accounts\": true,"
                        + " \"account_id\": {\"x\": 1}, \"strategy\": [1], \"allocations\": \"all\", \"servers\": [1], \"action\": 7,"
                        + " \"phone_number\": {\"a\": 1}}"));
        bodies.put("a JSON array", json("[1, 2, 3]"));
        bodies.put("a JSON string", json("\"text\""));
        bodies.put("a JSON number", json("42"));
        bodies.put("JSON null", json("null"));
        bodies.put(
                "nulls everywhere",
                json("{\"node_id\": null, \"host\": null, \"account_id\": null, \"strategy\": null,"
                        + " \"allocations\": null, \"servers\": null, \"action\": null, \"phone_number\": null}"));
        bodies.put(
                "invalid UTF-8",
                new Body(
                        "application/json",
                        concat(
                                "{\"node_id\": \"",
                                new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28},
                                "\", \"account_id\": \"",
                                new byte[] {(byte) 0xc0, (byte) 0x80},
                                "\", \"strategy\": \"",
                                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                                "\"}")));
        bodies.put(
                "${VAR} strings",
                json(
                        "{\"node_id\": \"${JAVA_HOME}\", \"host\": \"${JAVA_HOME}\", \"port\": \"${PORT}\","
                                + " \"user\": \"${USER}\", \"account_id\": \"${JAVA_HOME}\", \"strategy\": \"${JAVA_HOME}\","
                                + " \"action\": \"${JAVA_HOME}\", \"servers\": \"${JAVA_HOME}\", \"allocations\": \"${JAVA_HOME}\"}"));
        bodies.put("truncated JSON", json("{\"node_id\": \"x\", \"host\": "));
        bodies.put("trailing garbage", json("{\"account_id\": \"639000000009\"} {\"x\": 1}"));
        bodies.put(
                "NUL and control characters",
                json("{\"node_id\": \"a\\u0000b\", \"account_id\": \"a\\u0000\\u001b[31m\","
                        + " \"strategy\": \"\\u0000\", \"host\": \"h\\nx\"}"));
        bodies.put("empty body", json(""));
        bodies.put("whitespace body", json("  \n "));
        bodies.put(
                "XML",
                new Body("application/xml", "<server><node_id>x</node_id></server>".getBytes(StandardCharsets.UTF_8)));
        bodies.put(
                "form",
                new Body(
                        "application/x-www-form-urlencoded",
                        "node_id=x&account_id=y".getBytes(StandardCharsets.UTF_8)));
        bodies.put("2 MiB body", json("{\"node_id\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}"));
        return bodies;
    }

    /** The POST/PUT endpoints with a JSON body (not .../auto: an empty or null body there means "balanced"). */
    static final List<String[]> ENDPOINTS = List.of(
            new String[] {"POST", "/api/v1/group-ai/servers"},
            new String[] {"PUT", "/api/v1/group-ai/servers/node-a"},
            new String[] {"POST", "/api/v1/group-ai/servers/import"},
            new String[] {"POST", "/api/v1/group-ai/accounts"},
            new String[] {"PUT", "/api/v1/group-ai/accounts/639000000001"},
            new String[] {"POST", "/api/v1/group-ai/account-allocation/batch"},
            new String[] {"POST", "/api/v1/group-ai/accounts/allocate"},
            new String[] {"POST", "/api/v1/group-ai/accounts/rebalance"},
            new String[] {"POST", "/api/v1/group-ai/servers/node-a/commands"},
            new String[] {"POST", "/api/v1/group-ai/accounts/639000000001/login"},
            new String[] {"POST", "/api/v1/group-ai/accounts/639000000001/login/code"},
            new String[] {"POST", "/api/v1/group-ai/accounts/639000000001/login/password"},
            new String[] {"POST", "/api/v1/workers/heartbeat"},
            new String[] {"POST", "/api/v1/workers/node-a/logins/639000000001/state"},
            new String[] {"POST", "/api/v1/sim-telegram/groups"},
            new String[] {"POST", "/api/v1/sim-telegram/groups/-100123/members"},
            new String[] {"POST", "/api/v1/sim-telegram/groups/-100123/messages"},
            new String[] {"POST", "/api/v1/sim-telegram/accounts/639000000001/connect"},
            new String[] {"POST", "/api/v1/sim-telegram/accounts/639000000001/messages"});

    @Test
    void everyHostileBodyGetsA4xxProblemAndChangesNothing() throws Exception {
        Map<String, Long> before = counts();
        List<String> wrong = new ArrayList<>();
        int answered = 0;
        for (String[] endpoint : ENDPOINTS) {
            for (Map.Entry<String, Body> body : hostileBodies().entrySet()) {
                HttpResponse<String> r = send(endpoint[0], endpoint[1], body.getValue(), false);
                // A PUT of an account ignores unknown fields and takes null as "no value": a body without a usable
                // field leaves the account as it was, which is fine as long as it really is unchanged.
                boolean harmless = endpoint[0].equals("PUT")
                        && endpoint[1].startsWith("/api/v1/group-ai/accounts/")
                        && r.statusCode() == 200
                        && unchangedAccount(JSON.readTree(r.body()));
                String problem = harmless ? null : problemIssue(r);
                if (problem != null) {
                    wrong.add(endpoint[0] + " " + endpoint[1] + " with " + body.getKey() + ": " + problem);
                }
                answered++;
            }
        }
        assertThat(wrong).as("%d hostile requests", answered).isEmpty();
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void aTooLargeBodyIs413EvenWithoutContentLength() throws Exception {
        byte[] big = ("{\"servers\": {\"x\": {\"host\": \"" + "h".repeat(2 * 1024 * 1024) + "\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        for (boolean chunked : new boolean[] {false, true}) {
            HttpResponse<String> r =
                    send("POST", "/api/v1/group-ai/servers/import", new Body("application/json", big), chunked);
            assertThat(r.statusCode()).as("chunked=%s", chunked).isEqualTo(413);
            assertThat(problemIssue(r)).isNull();
            assertThat(JSON.readTree(r.body()).get("detail").asString()).contains("groupai.web.max-json-body");
        }
    }

    @Test
    void unknownPathsWrongMethodsAndMediaTypesAreProblems() throws Exception {
        Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
        answers.put("unknown path", send("GET", "/api/v1/group-ai/no-such-thing", null, false));
        answers.put("unknown root path", send("GET", "/nothing-here", null, false));
        answers.put("wrong method", send("DELETE", "/api/v1/group-ai/account-allocation/summary", null, false));
        answers.put(
                "wrong media type",
                send(
                        "POST",
                        "/api/v1/group-ai/servers",
                        new Body("text/csv", "a,b".getBytes(StandardCharsets.UTF_8)),
                        false));
        answers.put(
                "path variable of the wrong type",
                send("POST", "/api/v1/sim-telegram/groups/not-a-number/messages", json("{\"text\": \"x\"}"), false));
        for (Map.Entry<String, HttpResponse<String>> a : answers.entrySet()) {
            assertThat(problemIssue(a.getValue())).as(a.getKey()).isNull();
        }
        assertThat(answers.get("unknown path").statusCode()).isEqualTo(404);
        assertThat(answers.get("wrong method").statusCode()).isEqualTo(405);
        assertThat(answers.get("wrong media type").statusCode()).isEqualTo(415);
    }

    private static boolean unchangedAccount(JsonNode account) {
        return account.get("account_id").asString().equals("639000000001")
                && account.get("session_file").isNull()
                && account.get("script_id").isNull()
                && account.get("server_id").isNull()
                && account.get("location").isNull();
    }

    /** Null when the answer is a proper 4xx problem; else what is wrong with it. */
    private static String problemIssue(HttpResponse<String> r) {
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (r.statusCode() < 400 || r.statusCode() >= 500) {
            return "status " + r.statusCode() + " " + abbreviate(r.body());
        }
        if (!type.startsWith("application/problem+json")) {
            return "content type " + type + " " + abbreviate(r.body());
        }
        JsonNode body = JSON.readTree(r.body());
        if (!body.hasNonNull("detail") || body.get("detail").asString().isBlank()) {
            return "no detail: " + abbreviate(r.body());
        }
        String javaHome = System.getenv("JAVA_HOME");
        if (r.body().contains("Exception")
                || r.body().contains("\tat ")
                || r.body().contains("trace")
                || (javaHome != null && r.body().contains(javaHome))
                || r.body().length() > 4096) {
            return "leaks internals: " + abbreviate(r.body());
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : new String[] {
            "servers",
            "server_credentials",
            "accounts",
            "node_commands",
            "workflow_runs",
            "allocation_history",
            "fleet_settings"
        }) {
            counts.put(
                    table,
                    jdbc.sql("SELECT COUNT(*) FROM " + table).query(Long.class).single());
        }
        counts.put(
                "placed",
                jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id IS NOT NULL")
                        .query(Long.class)
                        .single());
        return counts;
    }

    private HttpResponse<String> send(String method, String path, Body body, boolean chunked)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", body.contentType())
                    .method(
                            method,
                            chunked
                                    ? HttpRequest.BodyPublishers.ofInputStream(
                                            () -> new ByteArrayInputStream(body.bytes()))
                                    : HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    record Body(String contentType, byte[] bytes) {}

    private static Body json(String text) {
        return new Body("application/json", text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(Object... parts) {
        var out = new java.io.ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof byte[] b ? b : p.toString().getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
