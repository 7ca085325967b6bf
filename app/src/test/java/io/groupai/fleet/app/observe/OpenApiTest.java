package io.groupai.fleet.app.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.FleetIntegrationTest;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/** /v3/api-docs describes every REST path the app maps, with the seeds' request examples. */
@FleetIntegrationTest
class OpenApiTest {

    @LocalServerPort
    int port;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void everyApiPathOfTheAppIsDescribedWithExamplesAndTheUiIsServed() {
        Api api = new Api(port);
        Api.Response docs = api.get("/v3/api-docs");
        assertThat(docs.status()).as(docs.body()).isEqualTo(200);
        JsonNode openApi = docs.json();
        Set<String> described = new HashSet<>(openApi.get("paths").propertyNames());

        Set<String> mapped = new TreeSet<>();
        for (var entry : mappings.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = entry.getKey();
            HandlerMethod handler = entry.getValue();
            if (!handler.getBeanType().getPackageName().startsWith("io.groupai.fleet")) {
                continue;
            }
            for (String path : info.getPatternValues()) {
                if (path.startsWith("/api/")) {
                    mapped.add(path);
                }
            }
        }
        assertThat(mapped).contains("/api/v1/group-ai/alerts", "/api/v1/group-ai/accounts/allocate");
        assertThat(described).containsAll(mapped);

        JsonNode allocate = openApi.get("paths")
                .get("/api/v1/group-ai/accounts/allocate")
                .get("post")
                .get("requestBody")
                .get("content")
                .get("application/json")
                .get("example");
        assertThat(allocate.get("allocation_strategy").asString()).isEqualTo("load_balance");
        assertThat(openApi.get("info").get("title").asString()).contains("Group AI Fleet");

        Api.Response ui = api.get("/swagger-ui/index.html");
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.body()).containsIgnoringCase("swagger");
    }
}
