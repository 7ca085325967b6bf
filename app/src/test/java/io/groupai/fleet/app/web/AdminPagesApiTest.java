package io.groupai.fleet.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.FleetIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The admin pages' files are public (they hold no data), only for GET, and confined by a
 * Content-Security-Policy; the data behind them still needs a token.
 */
@FleetIntegrationTest
class AdminPagesApiTest {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theRootRedirectsToThePagesWhichLoadWithoutAToken() throws Exception {
        HttpResponse<String> root = get("/");
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location").orElseThrow()).endsWith("/admin/");

        HttpResponse<String> index = get("/admin/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(index.body()).contains("/admin/overview.js").doesNotContain("test-admin");
        assertThat(index.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'")
                .contains("frame-ancestors 'none'");

        for (String path : new String[] {"/admin/login.html", "/admin/fleet.js", "/admin/fleet.css"}) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(get("/admin/fleet.js").headers().firstValue("Content-Type").orElseThrow())
                .contains("javascript");
    }

    @Test
    void onlyGetIsOpenAndTheDataStillNeedsAToken() throws Exception {
        Api anonymous = Api.anonymous(port);
        assertThat(anonymous.post("/admin/login.html", "{}").status()).isEqualTo(401);
        assertThat(anonymous.get("/api/v1/group-ai/account-allocation/summary").status())
                .isEqualTo(401);
        Api.Response missing = new Api(port).get("/admin/no-such-page.html");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
    }
}
