package io.groupai.fleet.nodes;

import io.groupai.fleet.nodes.ssh.HostKeyStore;
import io.groupai.fleet.nodes.ssh.PinnedHostKey;
import io.groupai.fleet.registry.ServerRepository;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Host keys pinned on the server rows, so every control-plane instance trusts the same keys. */
@Component
class DatabaseHostKeyStore implements HostKeyStore {

    private final ServerRepository servers;

    DatabaseHostKeyStore(ServerRepository servers) {
        this.servers = servers;
    }

    @Override
    public Optional<PinnedHostKey> find(String nodeId) {
        return servers.find(nodeId)
                .filter(s -> s.hostKey() != null)
                .map(s -> new PinnedHostKey(s.hostKeyType(), s.hostKey()));
    }

    @Override
    public void pin(String nodeId, PinnedHostKey key) {
        servers.pinHostKey(nodeId, key.type(), key.base64());
    }

    @Override
    public boolean pinIfAbsent(String nodeId, PinnedHostKey key) {
        return servers.pinHostKeyIfAbsent(nodeId, key.type(), key.base64());
    }

    @Override
    public Optional<String> expectedFingerprint(String nodeId) {
        return servers.find(nodeId).map(s -> servers.expectedHostKey(nodeId)).flatMap(o -> o);
    }

    @Override
    public void clear(String nodeId) {
        servers.clearHostKey(nodeId);
    }
}
