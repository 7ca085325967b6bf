package io.groupai.fleet.registry;

/** The named thing does not exist. Rendered as HTTP 404 problem+json. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }

    public static NotFoundException server(String nodeId) {
        return new NotFoundException(
                "server '" + nodeId + "' is not registered; list servers with GET /api/v1/group-ai/servers");
    }

    public static NotFoundException account(String accountId) {
        return new NotFoundException(
                "account '" + accountId + "' does not exist; list accounts with GET /api/v1/group-ai/accounts");
    }
}
