package io.groupai.fleet.nodes;

import io.groupai.fleet.nodes.ssh.NodeService;
import io.groupai.fleet.nodes.ssh.SshTarget;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import org.springframework.stereotype.Component;

/** Builds the SSH address of a registered server from its row (never from workflow input). */
@Component
public class NodeTargets {

    private final ServerRepository servers;

    NodeTargets(ServerRepository servers) {
        this.servers = servers;
    }

    /** Where a node is and how its agent runs, as its last bootstrap installed it (pid file before any). */
    public record Node(SshTarget target, NodeService service) {}

    public SshTarget of(String nodeId) {
        return target(servers.get(nodeId));
    }

    public Node node(String nodeId) {
        ServerRecord s = servers.get(nodeId);
        return new Node(target(s), NodeService.fromStored(s.nodeService()));
    }

    private static SshTarget target(ServerRecord s) {
        return new SshTarget(s.nodeId(), s.host(), s.port(), s.user(), s.deployDir());
    }
}
