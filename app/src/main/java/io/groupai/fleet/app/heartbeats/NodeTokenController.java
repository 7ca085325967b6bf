package io.groupai.fleet.app.heartbeats;

import io.groupai.fleet.nodes.NodeDistributionProperties;
import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NodeTokenStore;
import io.groupai.fleet.registry.ServerRepository;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Rotates a node's token (an admin's operation). The new token never appears in the answer: the
 * node receives it in its next heartbeat reply, which it authenticates with the previous token
 * while the grace period lasts, and writes it into its own configuration file. A leaked token is
 * rotated with {@code grace_seconds: 0}: the old one stops working at once, and the node must be
 * bootstrapped again to get the new one (bootstrap writes it over SSH).
 */
@RestController
class NodeTokenController {

    private static final Logger log = LoggerFactory.getLogger(NodeTokenController.class);
    private static final long MAX_GRACE_SECONDS = Duration.ofDays(7).toSeconds();

    record RotationView(String nodeId, Instant rotatedAt, Instant previousValidUntil, String delivery) {}

    private final NodeTokenStore tokens;
    private final ServerRepository servers;
    private final NodeDistributionProperties nodes;

    NodeTokenController(NodeTokenStore tokens, ServerRepository servers, NodeDistributionProperties nodes) {
        this.tokens = tokens;
        this.servers = servers;
        this.nodes = nodes;
    }

    @PostMapping("/api/v1/group-ai/servers/{nodeId}/node-token/rotate")
    RotationView rotate(@PathVariable String nodeId, @RequestBody(required = false) JsonNode body) {
        servers.get(nodeId);
        Duration grace = nodes.tokenGrace();
        JsonNode g = body == null ? null : body.get("grace_seconds");
        if (g != null && !g.isNull()) {
            if (!g.isIntegralNumber() || g.asLong() < 0 || g.asLong() > MAX_GRACE_SECONDS) {
                throw new InvalidInputException(
                        "grace_seconds", "must be a whole number of seconds from 0 to " + MAX_GRACE_SECONDS);
            }
            grace = Duration.ofSeconds(g.asLong());
        }
        NodeTokenStore.Rotation r = tokens.rotate(nodeId, grace)
                .orElseThrow(() -> new ConflictException("server " + nodeId
                        + " has no node token yet; bootstrap generates one (POST /api/v1/group-ai/servers/" + nodeId
                        + "/bootstrap), or set node_token with PUT /api/v1/group-ai/servers/" + nodeId));
        log.info(
                "server {}: node token rotated; the previous one is accepted until {}", nodeId, r.previousValidUntil());
        return new RotationView(
                r.nodeId(),
                r.rotatedAt(),
                r.previousValidUntil(),
                grace.isZero()
                        ? "the previous token no longer works: bootstrap the server again to install the new one"
                        : "the node receives the new token in its next heartbeat reply and stores it in its configuration");
    }
}
