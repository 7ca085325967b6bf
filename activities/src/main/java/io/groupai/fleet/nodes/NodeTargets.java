package io.groupai.fleet.nodes;

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

    public SshTarget of(String nodeId) {
        ServerRecord s = servers.get(nodeId);
        return new SshTarget(s.nodeId(), s.host(), s.port(), s.user(), s.deployDir());
    }
}
