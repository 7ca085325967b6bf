package io.groupai.fleet.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tiny HTTP client for tests that go through the real server port. {@code new Api(port)} acts as
 * the test admin ({@link #TEST_ADMIN_USERNAME}, set for every app a test starts by
 * {@code config/application.properties} on the test classpath): it signs in on first use and keeps
 * the token per port. {@link #anonymous} sends no token, {@link #as} a given one. A request that
 * carries its own Authorization header (a node token) is sent with that header only.
 */
public final class Api {

    public static final String TEST_ADMIN_USERNAME = "test-admin";
    public static final String TEST_ADMIN_PASSWORD = "test-admin-password-0123";
    /** The HS256 key tests' apps sign access tokens with (base64 of 32 bytes), for forging tokens in tests. */
    public static final String TEST_JWT_KEY = "dGVzdC1vbmx5LWp3dC1rZXktMDEyMzQ1Njc4OWFiY2Q=";

    private static final Map<String, String> ADMIN_TOKENS = new ConcurrentHashMap<>();

    public record Response(int status, String contentType, String body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    /** Null: no Authorization header. */
    private final Supplier<String> token;
    /** Set when the token is the cached sign-in of this user, so a 401 (expired) signs in again once. */
    private final String[] signIn;

    /** The test admin. */
    public Api(int port) {
        this(port, TEST_ADMIN_USERNAME, TEST_ADMIN_PASSWORD);
    }

    private Api(int port, String username, String password) {
        this.base = "http://127.0.0.1:" + port;
        this.signIn = new String[] {username, password};
        this.token = () -> ADMIN_TOKENS.computeIfAbsent(base + "|" + username, k -> token(port, username, password));
    }

    private Api(int port, Supplier<String> token) {
        this.base = "http://127.0.0.1:" + port;
        this.token = token;
        this.signIn = null;
    }

    /** No token: what anyone who reaches the port gets. */
    public static Api anonymous(int port) {
        return new Api(port, (Supplier<String>) null);
    }

    /** Sends this bearer token (an access token of some role, an API token, or a forged one). */
    public static Api as(int port, String bearerToken) {
        return new Api(port, () -> bearerToken);
    }

    /** Signs in as this user on first use (and again when the token has expired). */
    public static Api signedIn(int port, String username, String password) {
        return new Api(port, username, password);
    }

    /** POST /api/v1/auth/token; fails the test unless it answers 200. */
    public static String token(int port, String username, String password) {
        Response r = anonymous(port)
                .post(
                        "/api/v1/auth/token",
                        JSON.createObjectNode()
                                .put("username", username)
                                .put("password", password)
                                .toString());
        if (r.status() != 200) {
            throw new IllegalStateException("sign-in of " + username + " answered " + r.status() + ": " + r.body());
        }
        return r.json().get("access_token").asString();
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    public Response post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response put(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** POST with extra headers, e.g. "Authorization", "Bearer ...". */
    public Response post(String path, String json, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    public Response get(String path, String... headers) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    /** POST a raw body, e.g. a script as application/yaml. */
    public Response post(String path, byte[] body, String contentType) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public Response put(String path, byte[] body, String contentType) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private Response send(HttpRequest.Builder request) {
        HttpRequest built = request.build();
        if (token == null || built.headers().firstValue("Authorization").isPresent()) {
            return send(built);
        }
        Response response = send(withToken(request, token.get()));
        if (response.status() == 401 && signIn != null) {
            ADMIN_TOKENS.remove(base + "|" + signIn[0]);
            response = send(withToken(request, token.get()));
        }
        return response;
    }

    private static HttpRequest withToken(HttpRequest.Builder request, String bearer) {
        return request.copy().setHeader("Authorization", "Bearer " + bearer).build();
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
