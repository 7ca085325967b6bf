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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
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
            {"node_id": "node-a", "host": "127.0.0.1", "port": 2222, "user": "ubuntu", "password": "pw-first-secret",
             "deploy_dir": "/srv/groupai", "max_accounts": 5, "location": "Manila"}""";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api api;
    final HttpClient http = HttpClient.newHttpClient();
    /** The test admin's access token: the hostile bodies must meet the controllers, not a 401. */
    String adminToken;

    /** Every case every test here tried, printed at the end. */
    static final AtomicInteger CASES = new AtomicInteger();

    @AfterAll
    static void printCount() {
        System.out.println(
                "HostileInputApiTest: " + CASES.get() + " hostile cases tried, every one a 4xx that changed nothing");
    }

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        adminToken = Api.token(port, Api.TEST_ADMIN_USERNAME, Api.TEST_ADMIN_PASSWORD);
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
            new String[] {"PUT", "/api/v1/group-ai/accounts/639000000001/groups"},
            new String[] {"POST", "/api/v1/group-ai/account-allocation/batch"},
            new String[] {"POST", "/api/v1/group-ai/accounts/allocate"},
            new String[] {"POST", "/api/v1/group-ai/accounts/rebalance"},
            new String[] {"POST", "/api/v1/group-ai/rebalance"},
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
        CASES.addAndGet(answered);
        assertThat(wrong).as("%d hostile requests", answered).isEmpty();
        assertThat(counts()).isEqualTo(before);
    }

    /**
     * The session backup endpoints: a run takes an optional body (none, or {@code null}, means the defaults, so
     * those are not hostile there) read strictly; a restore takes only path variables.
     */
    @Test
    void sessionBackupEndpointsRefuseHostileInputAndStartNothing() throws Exception {
        Map<String, Long> before = counts();
        List<String> wrong = new ArrayList<>();
        int answered = 0;
        Map<String, Body> bodies = hostileBodies();
        bodies.keySet().removeAll(List.of("empty body", "whitespace body", "JSON null"));
        bodies.put("unknown field", json("{\"keep\": 2, \"keepp\": 3}"));
        bodies.put("keep out of range", json("{\"keep\": 100000}"));
        bodies.put("negative parallelism", json("{\"parallelism\": -1}"));
        bodies.put("fractional keep", json("{\"keep\": 2.5}"));
        bodies.put("account ids not a list", json("{\"account_ids\": \"639000000001\"}"));
        bodies.put(
                "shell and SQL metacharacters in account ids",
                json("{\"account_ids\": [\"$(reboot)\", \"x'; DROP TABLE accounts; --\", \"../../etc\"]}"));
        bodies.put("too many account ids", json("{\"account_ids\": [" + "\"1\",".repeat(1000) + "\"1\"]}"));
        for (Map.Entry<String, Body> body : bodies.entrySet()) {
            HttpResponse<String> r = send("POST", "/api/v1/group-ai/session-backups/run", body.getValue(), false);
            String problem = problemIssue(r);
            if (problem != null) {
                wrong.add("run with " + body.getKey() + ": " + problem);
            }
            answered++;
        }
        // (Encoded slashes, backslashes and NULs never reach the app: Tomcat refuses them itself.)
        for (String path : List.of(
                "/api/v1/group-ai/accounts/639000000001/backups/....etc/restore",
                "/api/v1/group-ai/accounts/639000000001/backups/x;rm%20-rf%20~/restore",
                "/api/v1/group-ai/accounts/639000000001/backups/$(reboot)/restore",
                "/api/v1/group-ai/accounts/639000000001/backups/" + "9".repeat(300) + "/restore",
                "/api/v1/group-ai/accounts/639000000001/backups/20261202T061500123Z-1a2b3c/restore",
                "/api/v1/group-ai/accounts/..../backups/20261202T061500123Z-1a2b3c/restore",
                "/api/v1/group-ai/accounts/nobody'%20OR%201=1/backups/20261202T061500123Z-1a2b3c/restore")) {
            HttpResponse<String> r = send("POST", path, null, false);
            String problem = problemIssue(r);
            if (problem != null) {
                wrong.add("restore " + path.substring(0, Math.min(path.length(), 120)) + ": " + problem);
            }
            answered++;
        }
        for (String path : List.of(
                "/api/v1/group-ai/accounts/..../backups",
                "/api/v1/group-ai/accounts/x'%20OR%201=1/backups",
                "/api/v1/group-ai/accounts/nobody/backups")) {
            HttpResponse<String> r = send("GET", path, null, false);
            String problem = problemIssue(r);
            if (problem != null) {
                wrong.add("list " + path + ": " + problem);
            }
            answered++;
        }
        CASES.addAndGet(answered);
        assertThat(wrong).as("%d hostile requests", answered).isEmpty();
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void rebalanceBodiesOutOfRangeOrOfTheWrongTypeAre400AndStartNothing() throws Exception {
        Map<String, Long> before = counts();
        List<String> bodies = List.of(
                "{}",
                "{\"dry_run\": null}",
                "{\"dry_run\": \"yes\"}",
                "{\"dry_run\": 1}",
                "{\"dry_run\": false, \"threshold_percent\": -1}",
                "{\"dry_run\": false, \"threshold_percent\": 101}",
                "{\"dry_run\": false, \"threshold_percent\": \"30 OR 1=1\"}",
                "{\"dry_run\": false, \"threshold_percent\": 1e999999}",
                "{\"dry_run\": false, \"max_moves\": -5}",
                "{\"dry_run\": false, \"max_moves\": 99999999999999}",
                "{\"dry_run\": false, \"max_parallel\": 0}",
                "{\"dry_run\": false, \"max_per_server\": 1000}",
                "{\"dry_run\": false, \"max_parallel\": [4]}");
        List<String> wrong = new ArrayList<>();
        for (String body : bodies) {
            HttpResponse<String> r = send("POST", "/api/v1/group-ai/rebalance", json(body), false);
            String problem = problemIssue(r);
            if (problem != null || r.statusCode() != 400) {
                wrong.add(body + ": " + r.statusCode() + " " + problem);
            }
        }
        CASES.addAndGet(bodies.size());
        assertThat(wrong).isEmpty();
        // workflow_runs among the counts: no rebalance was started.
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void accountGroupsAreOnlyAListOfChatIds() throws Exception {
        Map<String, Long> before = counts();
        List<String> wrong = new ArrayList<>();
        List<String> bodies = List.of(
                "{\"group_ids\": \"-1001\"}",
                "{\"group_ids\": [\"-1001\"]}",
                "{\"group_ids\": [-1001.5]}",
                "{\"group_ids\": [1e999999999]}",
                "{\"group_ids\": [-1" + "0".repeat(5_000) + "]}",
                "{\"group_ids\": [99999999999999999999]}",
                "{\"group_ids\": [0]}",
                "{\"group_ids\": [null]}",
                "{\"group_ids\": [true]}",
                "{\"group_ids\": [[-1001]]}",
                "{\"group_ids\": [{\"id\": -1001}]}",
                "{\"group_ids\": null}",
                "{\"groups\": [-1001]}",
                "{\"group_ids\": [" + "-1001, ".repeat(500) + "-1002]}",
                "{\"group_ids\": [" + "[".repeat(10_000) + "]".repeat(10_000) + "]}",
                "{\"group_ids\": [\"${JAVA_HOME}\"]}");
        for (String body : bodies) {
            HttpResponse<String> r = send(
                    "PUT",
                    "/api/v1/group-ai/accounts/639000000001/groups",
                    new Body("application/json", body.getBytes(StandardCharsets.UTF_8)),
                    false);
            String problem = problemIssue(r);
            if (problem != null || r.statusCode() != 400) {
                wrong.add(body.substring(0, Math.min(60, body.length())) + ": " + r.statusCode() + " " + problem);
            }
        }
        // An account that does not exist: 404, nothing created.
        HttpResponse<String> missing = send(
                "PUT",
                "/api/v1/group-ai/accounts/639000000099/groups",
                new Body("application/json", "{\"group_ids\": [-1001]}".getBytes(StandardCharsets.UTF_8)),
                false);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(problemIssue(missing)).isNull();
        CASES.addAndGet(bodies.size() + 1);
        assertThat(wrong).isEmpty();
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
            CASES.incrementAndGet();
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
        CASES.addAndGet(answers.size());
        assertThat(answers.get("unknown path").statusCode()).isEqualTo(404);
        assertThat(answers.get("wrong method").statusCode()).isEqualTo(405);
        assertThat(answers.get("wrong media type").statusCode()).isEqualTo(415);
    }

    /** Bearer tokens that must not get in, on reads and writes alike: each a 401 problem that says why. */
    @Test
    void forgedExpiredAndMalformedTokensAre401() throws Exception {
        Map<String, Long> before = counts();
        long now = System.currentTimeMillis() / 1000;
        byte[] key = java.util.Base64.getDecoder().decode(Api.TEST_JWT_KEY);
        byte[] otherKey = new byte[32];
        new java.security.SecureRandom().nextBytes(otherKey);
        String claims = claims("test-admin", "group-ai-fleet", now - 60, now + 3600);
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put(
                "expired",
                "Bearer " + jwt("HS256", claims("test-admin", "group-ai-fleet", now - 7200, now - 3600), key));
        tokens.put("signed with another key", "Bearer " + jwt("HS256", claims, otherKey));
        tokens.put("alg none", "Bearer " + unsigned(claims));
        tokens.put("alg none, no trailing dot", "Bearer " + unsigned(claims).replaceAll("\\.$", ""));
        tokens.put("HS512 with the right key (algorithm switch)", "Bearer " + jwt("HS512", claims, key));
        tokens.put("no expiry", "Bearer " + jwt("HS256", "{\"iss\":\"group-ai-fleet\",\"sub\":\"test-admin\"}", key));
        tokens.put(
                "another issuer",
                "Bearer " + jwt("HS256", claims("test-admin", "someone-else", now - 60, now + 3600), key));
        tokens.put(
                "a user that does not exist",
                "Bearer " + jwt("HS256", claims("ghost", "group-ai-fleet", now - 60, now + 3600), key));
        tokens.put(
                "not valid yet", "Bearer " + jwt("HS256", claims.replace("}", ",\"nbf\":" + (now + 3000) + "}"), key));
        tokens.put("garbage", "Bearer not-a-token");
        tokens.put("empty bearer", "Bearer ");
        tokens.put("two tokens", "Bearer " + adminToken + " " + adminToken);
        tokens.put("7,000-character token", "Bearer " + "a".repeat(7_000));
        // Past Tomcat's 8 KB header limit the container itself answers 400 (HTML), before the app: still a 4xx.
        tokens.put("20,000-character token", "Bearer " + "a".repeat(20_000));
        tokens.put("forged API token", "Bearer gaf_" + "A".repeat(43));
        tokens.put(
                "Basic with the admin's password",
                "Basic "
                        + java.util.Base64.getEncoder()
                                .encodeToString((Api.TEST_ADMIN_USERNAME + ":" + Api.TEST_ADMIN_PASSWORD)
                                        .getBytes(StandardCharsets.UTF_8)));
        tokens.put("no Authorization header", null);
        String[][] endpoints = {
            {"GET", "/api/v1/group-ai/servers"},
            {"POST", "/api/v1/group-ai/servers"},
            {"POST", "/api/v1/group-ai/account-allocation/auto"},
            {"DELETE", "/api/v1/group-ai/servers/node-a"},
            {"GET", "/api/v1/audit"},
        };
        List<String> wrong = new ArrayList<>();
        Map<String, String> details = new LinkedHashMap<>();
        for (Map.Entry<String, String> token : tokens.entrySet()) {
            for (String[] endpoint : endpoints) {
                Body body = endpoint[0].equals("POST") ? json(SERVER.replace("node-a", "node-b")) : null;
                HttpResponse<String> r = send(endpoint[0], endpoint[1], body, false, token.getValue());
                CASES.incrementAndGet();
                if (token.getKey().startsWith("20,000") && r.statusCode() == 400) {
                    continue;
                }
                String problem = r.statusCode() == 401
                        ? problemIssue(r)
                        : "status " + r.statusCode() + " " + abbreviate(r.body());
                if (problem != null) {
                    wrong.add(token.getKey() + " on " + endpoint[0] + " " + endpoint[1] + ": " + problem);
                } else {
                    details.put(
                            token.getKey(),
                            JSON.readTree(r.body()).get("detail").asString());
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(details.get("expired")).contains("expired");
        assertThat(details.get("signed with another key")).contains("signature");
        assertThat(details.get("alg none")).contains("alg none");
        assertThat(details.get("no Authorization header")).contains("POST /api/v1/auth/token");
        assertThat(counts()).isEqualTo(before);
    }

    /** CR/LF and friends in the request line and headers, sent as raw bytes: refused, never echoed as headers. */
    @Test
    void headerInjectionIsRefused() throws Exception {
        Map<String, Long> before = counts();
        String auth = "Authorization: Bearer " + adminToken + "\r\n";
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put(
                "encoded CRLF in the path",
                "GET /api/v1/group-ai/servers/node-a%0d%0aSet-Cookie:%20injected=1 HTTP/1.1\r\nHost: x\r\n" + auth);
        requests.put(
                "encoded CRLF in a created resource's id",
                "DELETE /api/v1/group-ai/servers/x%0D%0ALocation:%20http://evil HTTP/1.1\r\nHost: x\r\n" + auth);
        requests.put(
                "bare CR in a header value",
                "GET /api/v1/group-ai/servers HTTP/1.1\r\nHost: x\r\nX-Test: a\rInjected: b\r\n" + auth);
        requests.put(
                "CRLF folded into the Authorization header",
                "GET /api/v1/group-ai/servers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n Injected: yes\r\n");
        requests.put(
                "a garbage Authorization header before the admin's",
                "POST /api/v1/group-ai/servers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer garbage\r\n" + auth
                        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        requests.put(
                "CRLF in the Content-Type",
                "POST /api/v1/group-ai/accounts HTTP/1.1\r\nHost: x\r\n" + auth
                        + "Content-Type: application/json\r\n\rX-Injected: 1\r\nContent-Length: 2\r\n\r\n{}");
        requests.put(
                "path traversal with encoded dots",
                "GET /api/v1/group-ai/%2e%2e/%2e%2e/actuator/env HTTP/1.1\r\nHost: x\r\n" + auth);
        requests.put(
                "encoded slash in an id",
                "DELETE /api/v1/group-ai/servers/node-a%2F..%2Fx HTTP/1.1\r\nHost: x\r\n" + auth);
        requests.put(
                "semicolon path parameter",
                "DELETE /api/v1/group-ai/servers/node-a;jsessionid=1 HTTP/1.1\r\nHost: x\r\n" + auth);
        requests.put(
                "NUL in a header", "GET /api/v1/group-ai/servers HTTP/1.1\r\nHost: x\r\nX-Test: a\u0000b\r\n" + auth);
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> request : requests.entrySet()) {
            String raw = request.getValue().endsWith("\r\n\r\n")
                            || request.getValue().contains("\r\n\r\n")
                    ? request.getValue()
                    : request.getValue() + "Connection: close\r\n\r\n";
            String answer = rawHttp(raw);
            int status = answer.length() >= 12 && answer.startsWith("HTTP/1.1 ")
                    ? Integer.parseInt(answer.substring(9, 12))
                    : -1;
            String head = answer.contains("\r\n\r\n") ? answer.substring(0, answer.indexOf("\r\n\r\n")) : answer;
            if (status < 400 || status >= 500 || head.contains("injected=1") || head.contains("http://evil")) {
                wrong.add(request.getKey() + ": " + abbreviate(answer));
            }
            CASES.incrementAndGet();
        }
        assertThat(wrong).isEmpty();

        // X-Forwarded-For is the client's word: the audit log keeps the socket's address.
        HttpRequest spoofed = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/auth/token"))
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", "203.0.113.66")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"username\": \"spoofer\", \"password\": \"wrong-password-1\"}"))
                .build();
        assertThat(http.send(spoofed, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(401);
        CASES.incrementAndGet();
        assertThat(jdbc.sql("SELECT remote_addr FROM audit_log WHERE actor = 'spoofer'")
                        .query(String.class)
                        .list())
                .isNotEmpty()
                .doesNotContain("203.0.113.66");
        assertThat(counts()).isEqualTo(before);
    }

    /** ${VAR} over REST: only FLEET_SECRET_* in secret fields resolve; the rest is refused unresolved. */
    @Test
    void variableReferencesOverRestAreRefusedWithoutResolving() throws Exception {
        Map<String, Long> before = counts();
        String javaHome = System.getenv("JAVA_HOME");
        Map<String, String[]> cases = new LinkedHashMap<>();
        for (String variable :
                new String[] {"JAVA_HOME", "GROUPAI_SECRET_KEY", "DB_PASSWORD", "PATH", "USER", "HOME"}) {
            cases.put("password ${" + variable + "}", new String[] {
                "POST",
                "/api/v1/group-ai/servers",
                SERVER.replace("pw-first-secret", "${" + variable + "}").replace("node-a", "node-b")
            });
        }
        cases.put("allow-listed variable in a field that is echoed (host)", new String[] {
            "POST",
            "/api/v1/group-ai/servers",
            SERVER.replace("node-a", "node-b").replace("127.0.0.1", "${FLEET_SECRET_TEST_SSH_PASSWORD}")
        });
        cases.put("allow-listed variable as node_id on update", new String[] {
            "PUT",
            "/api/v1/group-ai/servers/node-a",
            SERVER.replace("\"node_id\": \"node-a\"", "\"node_id\": \"${FLEET_SECRET_TEST_SSH_PASSWORD}\"")
        });
        cases.put("private_key_file from an allow-listed variable", new String[] {
            "POST",
            "/api/v1/group-ai/servers",
            SERVER.replace("node-a", "node-b")
                    .replace(
                            "\"password\": \"pw-first-secret\"",
                            "\"private_key_file\": \"${FLEET_SECRET_TEST_SSH_PASSWORD}\"")
        });
        cases.put("nested reference", new String[] {
            "POST",
            "/api/v1/group-ai/servers",
            SERVER.replace("pw-first-secret", "${${JAVA_HOME}}").replace("node-a", "node-b")
        });
        cases.put("import with a start-up-only variable", new String[] {
            "POST",
            "/api/v1/group-ai/servers/import",
            "{\"servers\": {\"node-b\": {\"host\": \"h\", \"user\": \"u\", \"deploy_dir\": \"/d\", \"max_accounts\": 1, \"password\": \"${LOS_ANGELES_SSH_PASSWORD}\"}}}"
        });
        cases.put("import with an admin password reference", new String[] {
            "POST",
            "/api/v1/group-ai/servers/import",
            "{\"servers\": {\"node-b\": {\"host\": \"h\", \"user\": \"u\", \"deploy_dir\": \"/d\", \"max_accounts\": 1, \"node_token\": \"${GROUPAI_ADMIN_PASSWORD}\"}}}"
        });
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            HttpResponse<String> r = send(c.getValue()[0], c.getValue()[1], json(c.getValue()[2]), false);
            String problem = problemIssue(r);
            if (problem == null
                    && (r.body().contains("fleet-secret-password-789")
                            || r.body().contains("la-secret-password-123")
                            || r.body().contains(Api.TEST_ADMIN_PASSWORD)
                            || (javaHome != null && r.body().contains(javaHome)))) {
                problem = "quotes a resolved value: " + abbreviate(r.body());
            }
            if (problem != null) {
                wrong.add(c.getKey() + ": " + problem);
            }
            CASES.incrementAndGet();
        }
        assertThat(wrong).isEmpty();
        assertThat(counts()).isEqualTo(before);
    }

    /**
     * An account's TDLib database key: only its node's token, for an account the database gives that node.
     * Another node's token, an operator's or forged token, another node's account, traversal, SQL and
     * {@code ${VAR}} in the path: each a 4xx that neither shows the key nor issues one.
     */
    @Test
    void theDatabaseKeyEndpointAnswersOnlyItsNode() throws Exception {
        for (String[] node : new String[][] {
            {"key-node-1", "hostile-key-node-1-token-0123456789"}, {"key-node-2", "hostile-key-node-2-token-0123456789"}
        }) {
            assertThat(api.post(
                                    "/api/v1/group-ai/servers",
                                    SERVER.replace("node-a", node[0])
                                            .replace(
                                                    "\"location\"",
                                                    "\"node_token\": \"" + node[1] + "\", \"location\""))
                            .status())
                    .isEqualTo(201);
        }
        String own = "Bearer hostile-key-node-1-token-0123456789";
        String other = "Bearer hostile-key-node-2-token-0123456789";
        jdbc.sql("UPDATE accounts SET server_id = 'key-node-1' WHERE account_id = '639000000001'")
                .update();
        String path = "/api/v1/workers/key-node-1/accounts/639000000001/database-key";
        HttpResponse<String> legit = send("GET", path, null, false, own);
        assertThat(legit.statusCode()).as(legit.body()).isEqualTo(200);
        String key = JSON.readTree(legit.body()).get("database_encryption_key").asString();
        Map<String, Long> before = counts();
        long keys = jdbc.sql("SELECT COUNT(*) FROM account_database_keys")
                .query(Long.class)
                .single();

        long now = System.currentTimeMillis() / 1000;
        Object[][] cases = {
            {"no token", null, "GET", path},
            {"another node's token", other, "GET", path},
            {"another node's account", other, "GET", "/api/v1/workers/key-node-2/accounts/639000000001/database-key"},
            {"an operator's token", "Bearer " + adminToken, "GET", path},
            {
                "alg none",
                "Bearer " + unsigned(claims(Api.TEST_ADMIN_USERNAME, "group-ai-fleet", now, now + 600)),
                "GET",
                path
            },
            {"the node token of no node", "Bearer made-up-token-0123456789abcdef", "GET", path},
            {"unknown node", own, "GET", "/api/v1/workers/key-node-9/accounts/639000000001/database-key"},
            {
                "SQL in the account",
                own,
                "GET",
                "/api/v1/workers/key-node-1/accounts/639%27%20OR%20%271%27=%271/database-key"
            },
            {"${VAR} as account", own, "GET", "/api/v1/workers/key-node-1/accounts/%24%7BJAVA_HOME%7D/database-key"},
            {"unknown account", own, "GET", "/api/v1/workers/key-node-1/accounts/639000000099/database-key"},
            {
                "1,000-character account",
                own,
                "GET",
                "/api/v1/workers/key-node-1/accounts/" + "9".repeat(1000) + "/database-key"
            },
            {"POST", own, "POST", path},
            {"DELETE", own, "DELETE", path},
        };
        List<String> wrong = new ArrayList<>();
        for (Object[] c : cases) {
            HttpResponse<String> r = send((String) c[2], (String) c[3], null, false, (String) c[1]);
            String issue = problemIssue(r);
            if (issue != null || r.body().contains(key)) {
                wrong.add(c[0] + ": " + (issue == null ? "shows the key" : issue));
            }
            CASES.incrementAndGet();
        }
        String auth = "Authorization: " + own + "\r\n";
        for (String raw : new String[] {
            "GET /api/v1/workers/key-node-1/accounts/..%2F..%2F..%2Fetc%2Fpasswd/database-key HTTP/1.1\r\nHost: x\r\n",
            "GET /api/v1/workers/key-node-1/accounts/%2e%2e/%2e%2e/key-node-2/database-key HTTP/1.1\r\nHost: x\r\n",
            "GET /api/v1/workers/key-node-1/accounts/639000000001%00/database-key HTTP/1.1\r\nHost: x\r\n"
        }) {
            String answer = rawHttp(raw + auth + "Connection: close\r\n\r\n");
            int status = answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : -1;
            if (status < 400 || status >= 500 || answer.contains(key)) {
                wrong.add(raw.lines().findFirst().orElse(raw) + ": " + abbreviate(answer));
            }
            CASES.incrementAndGet();
        }
        assertThat(wrong).isEmpty();
        assertThat(counts()).isEqualTo(before);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM account_database_keys")
                        .query(Long.class)
                        .single())
                .as("no refused request issued a key")
                .isEqualTo(keys);
    }

    /** private_key_file reads only inside the keys directory: no traversal, no absolute path elsewhere, no link out. */
    @Test
    void keyFilesOutsideTheKeysDirectoryAreRefused() throws Exception {
        Map<String, Long> before = counts();
        java.nio.file.Path keys = java.nio.file.Files.createDirectories(
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "groupai-test", "keys"));
        java.nio.file.Path link = keys.resolve("link-to-hostname");
        java.nio.file.Files.deleteIfExists(link);
        java.nio.file.Files.createSymbolicLink(link, java.nio.file.Path.of("/etc/passwd"));
        java.nio.file.Files.createDirectories(keys.resolve("a-directory"));
        java.nio.file.Files.writeString(keys.resolve("not-a-key"), "hello, not a key");
        java.nio.file.Files.writeString(
                keys.resolve("huge-key"), "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "A".repeat(100_000));
        List<String> names = List.of(
                "../../../../../../etc/passwd",
                "/etc/passwd",
                "/etc/ssh/ssh_host_ed25519_key",
                "../secret.key",
                "../jwt.key",
                "./../../groupai-test/keys/../secret.key",
                keys.getParent().resolve("secret.key").toString(),
                "link-to-hostname",
                "a-directory",
                ".",
                "",
                "/",
                "not-a-key",
                "huge-key",
                "no-such-key",
                "nul\u0000byte",
                "~/.ssh/id_rsa");
        List<String> wrong = new ArrayList<>();
        for (String name : names) {
            String body = SERVER.replace("node-a", "node-b")
                    .replace(
                            "\"password\": \"pw-first-secret\"",
                            "\"private_key_file\": " + JSON.writeValueAsString(name));
            HttpResponse<String> r = send("POST", "/api/v1/group-ai/servers", json(body), false);
            String problem = problemIssue(r);
            if (problem == null && (r.body().contains("root:") || r.body().contains("hello, not a key"))) {
                problem = "quotes the file: " + abbreviate(r.body());
            }
            if (problem == null && !JSON.readTree(r.body()).toString().contains("private_key_file")) {
                problem = "does not name private_key_file: " + abbreviate(r.body());
            }
            if (problem != null) {
                wrong.add(name + ": " + problem);
            }
            CASES.incrementAndGet();
        }
        assertThat(wrong).isEmpty();
        assertThat(counts()).isEqualTo(before);
    }

    /** Percent-encoded letters in the path reach the same handler, so they must meet the same role check. */
    @Test
    void encodedPathsDoNotLiftARole() throws Exception {
        for (String[] user : new String[][] {{"hostile-operator", "operator"}, {"hostile-viewer", "viewer"}}) {
            if (jdbc.sql("SELECT COUNT(*) FROM operator_users WHERE username = ?")
                            .param(user[0])
                            .query(Long.class)
                            .single()
                    == 0) {
                assertThat(api.post(
                                        "/api/v1/auth/users",
                                        "{\"username\": \"" + user[0] + "\", \"password\": \"" + user[0]
                                                + "-pass-1\", \"role\": \"" + user[1] + "\"}")
                                .status())
                        .isEqualTo(201);
            }
        }
        String operator = "Bearer " + Api.token(port, "hostile-operator", "hostile-operator-pass-1");
        String viewer = "Bearer " + Api.token(port, "hostile-viewer", "hostile-viewer-pass-1");
        Map<String, Long> before = counts();
        Body server = json(SERVER.replace("node-a", "node-b"));
        Object[][] cases = {
            {operator, "POST", "/api/v1/group-ai/%73ervers", server},
            {operator, "POST", "/api/v1/group-ai/servers/%69mport", json("{\"servers\": {}}")},
            {operator, "DELETE", "/api/v1/group-ai/servers/node-a/host-ke%79", null},
            {operator, "DELETE", "/api/v1/group-ai/server%73/node-a", null},
            {operator, "PUT", "/api/v1/group-ai/servers/node%2Da", json(SERVER)},
            {operator, "GET", "/api/v1/au%64it", null},
            {operator, "GET", "/api/v1/auth/user%73", null},
            {operator, "POST", "/api/v1/auth/api-token%73", json("{\"name\": \"x\", \"role\": \"admin\"}")},
            {viewer, "POST", "/api/v1/group-ai/account-allocation/aut%6F", json("{}")},
            {viewer, "POST", "/api/v1/group-ai/accounts", json("{\"account_id\": \"639000000077\"}")},
            {viewer, "POST", "/api/v1/group-ai/%61ccounts", json("{\"account_id\": \"639000000077\"}")},
        };
        List<String> wrong = new ArrayList<>();
        for (Object[] c : cases) {
            HttpResponse<String> r = send((String) c[1], (String) c[2], (Body) c[3], false, (String) c[0]);
            String problem =
                    r.statusCode() == 403 ? problemIssue(r) : "status " + r.statusCode() + " " + abbreviate(r.body());
            if (problem != null) {
                wrong.add(c[1] + " " + c[2] + ": " + problem);
            }
            CASES.incrementAndGet();
        }
        assertThat(wrong).isEmpty();
        assertThat(counts()).isEqualTo(before);
    }

    private static String claims(String subject, String issuer, long issuedAt, long expiresAt) {
        return "{\"iss\":\"" + issuer + "\",\"sub\":\"" + subject + "\",\"iat\":" + issuedAt + ",\"exp\":" + expiresAt
                + "}";
    }

    private static String b64(String text) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String jwt(String alg, String claims, byte[] key) throws Exception {
        String input = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(claims);
        String mac = alg.equals("HS512") ? "HmacSHA512" : "HmacSHA256";
        javax.crypto.Mac hmac = javax.crypto.Mac.getInstance(mac);
        hmac.init(new javax.crypto.spec.SecretKeySpec(key, mac));
        return input + "."
                + java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(hmac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String unsigned(String claims) {
        return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims) + ".";
    }

    private String rawHttp(String request) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketTimeoutException e) {
            return "timeout";
        }
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
            "fleet_settings",
            "operator_users",
            "api_tokens",
            "account_groups"
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
        return send(method, path, body, chunked, "Bearer " + adminToken);
    }

    private HttpResponse<String> send(String method, String path, Body body, boolean chunked, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
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
