package io.groupai.fleet.app.openapi;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.RequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI description (springdoc: /v3/api-docs, UI at /swagger-ui.html): title and version, and
 * request examples in the seeds' shapes (classpath openapi/examples.json, keyed "METHOD path"), kept
 * in one file instead of annotations spread over the controllers.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI fleetOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Group AI Fleet control plane")
                        .version("v1")
                        .description("REST API of the control plane: servers, accounts, allocation, migration,"
                                + " workflows, alerts, the node-facing heartbeat and the simulated Telegram"
                                + " network. JSON fields are snake_case; errors are application/problem+json."));
    }

    @Bean
    OpenApiCustomizer seedExamples() {
        Map<String, Object> examples = load();
        return openApi -> {
            if (openApi.getPaths() == null) {
                return;
            }
            examples.forEach((key, example) -> {
                String[] methodAndPath = key.split(" ", 2);
                PathItem item = openApi.getPaths().get(methodAndPath[1]);
                if (item == null) {
                    return;
                }
                Operation operation = item.readOperationsMap()
                        .get(PathItem.HttpMethod.valueOf(methodAndPath[0].toUpperCase(Locale.ROOT)));
                if (operation == null) {
                    return;
                }
                RequestBody body = operation.getRequestBody();
                if (body == null) {
                    body = new RequestBody();
                    operation.setRequestBody(body);
                }
                if (body.getContent() == null) {
                    body.setContent(new Content());
                }
                MediaType json = body.getContent().get("application/json");
                if (json == null) {
                    json = new MediaType();
                    body.getContent().addMediaType("application/json", json);
                }
                json.setExample(example);
            });
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load() {
        try (InputStream in = OpenApiConfiguration.class.getResourceAsStream("/openapi/examples.json")) {
            if (in == null) {
                return Map.of();
            }
            return new LinkedHashMap<>(JsonMapper.builder().build().readValue(in, Map.class));
        } catch (IOException e) {
            throw new IllegalStateException("openapi/examples.json could not be read", e);
        }
    }
}
