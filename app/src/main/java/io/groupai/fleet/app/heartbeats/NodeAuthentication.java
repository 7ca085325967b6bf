package io.groupai.fleet.app.heartbeats;

import io.groupai.fleet.registry.NodeTokenStore;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/** Checks the {@code Authorization: Bearer <node token>} of calls that nodes make. */
@Component
public class NodeAuthentication {

    private final NodeTokenStore tokens;

    NodeAuthentication(NodeTokenStore tokens) {
        this.tokens = tokens;
    }

    /**
     * @return which of the node's tokens the header carries (the previous one only within the grace period
     *     of a rotation)
     * @throws ResponseStatusException 401 unless the header carries this node's token
     */
    public NodeTokenStore.Match require(String nodeId, String authorization) {
        String token = authorization != null && authorization.startsWith("Bearer ")
                ? authorization.substring(7).trim()
                : null;
        NodeTokenStore.Match match = nodeId == null ? NodeTokenStore.Match.NONE : tokens.match(nodeId, token);
        if (match == NodeTokenStore.Match.NONE) {
            throw new ResponseStatusException(
                    HttpStatus.UNAUTHORIZED,
                    "a valid node token is required: send "
                            + "'Authorization: Bearer <node_token>' with the token configured for this node (node_token of the server)");
        }
        return match;
    }
}
