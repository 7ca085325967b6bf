package io.groupai.fleet.node.scripts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST <base>/v1/chat/completions} of an OpenAI-compatible endpoint (the routing pool). The
 * API key, when set, is sent as a bearer token and never logged.
 */
public final class OpenAiCompatibleClient implements AiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public OpenAiCompatibleClient(URI base, String apiKey, String model) {
        String b = base.toString();
        this.endpoint = URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/v1/chat/completions");
        this.apiKey = apiKey;
        this.model = model == null || model.isBlank() ? "default" : model;
    }

    @Override
    public String complete(String prompt, List<String> history) throws AiUnavailableException {
        List<Map<String, String>> messages = new ArrayList<>();
        if (!history.isEmpty()) {
            messages.add(Map.of(
                    "role", "system", "content", "Recent messages of the group:\n" + String.join("\n", history)));
        }
        messages.add(Map.of("role", "user", "content", prompt));
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(
                            JSON.writeValueAsBytes(Map.of("model", model, "messages", messages, "max_tokens", 300))));
            if (apiKey != null && !apiKey.isBlank()) {
                req.header("Authorization", "Bearer " + apiKey);
            }
            HttpResponse<byte[]> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() / 100 != 2) {
                throw new AiUnavailableException(
                        "the AI routing pool at " + endpoint + " answered HTTP " + resp.statusCode());
            }
            JsonNode content = JSON.readTree(resp.body())
                    .path("choices")
                    .path(0)
                    .path("message")
                    .path("content");
            if (!content.isTextual() || content.asText().isBlank()) {
                throw new AiUnavailableException("the AI routing pool at " + endpoint + " returned no message content");
            }
            return content.asText().strip();
        } catch (IOException e) {
            throw new AiUnavailableException("the AI routing pool at " + endpoint + " is unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AiUnavailableException("interrupted while asking the AI routing pool");
        }
    }
}
