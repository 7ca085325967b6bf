package io.groupai.fleet.nodes.ssh;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link HostKeyStore} for tests and the single-process demo. */
public final class InMemoryHostKeyStore implements HostKeyStore {

    private final Map<String, PinnedHostKey> keys = new ConcurrentHashMap<>();

    @Override
    public Optional<PinnedHostKey> find(String nodeId) {
        return Optional.ofNullable(keys.get(nodeId));
    }

    @Override
    public void pin(String nodeId, PinnedHostKey key) {
        keys.put(nodeId, key);
    }

    @Override
    public void clear(String nodeId) {
        keys.remove(nodeId);
    }
}
