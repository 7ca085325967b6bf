package io.groupai.fleet.nodes.ssh;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link HostKeyStore} for tests and the single-process demo. */
public final class InMemoryHostKeyStore implements HostKeyStore {

    private final Map<String, PinnedHostKey> keys = new ConcurrentHashMap<>();
    private final Map<String, String> expected = new ConcurrentHashMap<>();

    /** Declares the fingerprint the node's key must have before it is pinned (as registration does). */
    public void expect(String nodeId, String fingerprint) {
        expected.put(nodeId, fingerprint);
    }

    @Override
    public Optional<String> expectedFingerprint(String nodeId) {
        return Optional.ofNullable(expected.get(nodeId));
    }

    @Override
    public boolean pinIfAbsent(String nodeId, PinnedHostKey key) {
        return keys.putIfAbsent(nodeId, key) == null;
    }

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
