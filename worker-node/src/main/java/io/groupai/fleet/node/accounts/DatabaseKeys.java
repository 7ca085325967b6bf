package io.groupai.fleet.node.accounts;

/**
 * Where the agent gets an account's TDLib {@code database_encryption_key} when it starts the account:
 * from the control plane, over the node-token channel ({@link HttpDatabaseKeys}). Never from a Temporal
 * payload, never written to disk or a log by the agent.
 */
@FunctionalInterface
public interface DatabaseKeys {

    /**
     * The key, base64 of its bytes as TDLib's JSON interface takes it.
     *
     * @throws io.groupai.fleet.node.NodeOperationException refused (non-retryable) or unreachable (retryable)
     */
    String fetch(String accountId);
}
