package io.groupai.fleet.node.scripts;

import java.util.List;

/** Generates a reply for {@code ai_generate} responses through the routing pool (OpenAI-compatible). */
public interface AiClient {

    /**
     * @param history the group's recent messages, oldest first ("Name: text")
     * @throws AiUnavailableException when no pool is configured or it failed, with a sentence saying why
     */
    String complete(String prompt, List<String> history) throws AiUnavailableException;

    final class AiUnavailableException extends Exception {
        public AiUnavailableException(String message) {
            super(message);
        }
    }

    /** No routing pool configured: every ai_generate fails with a clear message. */
    AiClient NONE = (prompt, history) -> {
        throw new AiUnavailableException("ai_generate needs the AI routing pool, and none is configured on this"
                + " node: set AI_ROUTER_URL (an OpenAI-compatible base URL serving /v1/chat/completions) in"
                + " conf/worker-node.properties");
    };
}
