package io.groupai.fleet.nodes.ssh;

import java.util.Optional;

/**
 * Where pinned host keys live (the database in production). Keys are pinned on first contact
 * and compared on every later connect; a mismatch is refused until an operator clears the pin.
 * Implementations must be thread-safe.
 */
public interface HostKeyStore {

    Optional<PinnedHostKey> find(String nodeId);

    /** Pins the key for the node, replacing any earlier one. */
    void pin(String nodeId, PinnedHostKey key);

    /**
     * Pins the key only if the node has none, atomically (one conditional update in the database), so two
     * control-plane instances connecting at once cannot pin different keys. True when this call pinned it.
     */
    default boolean pinIfAbsent(String nodeId, PinnedHostKey key) {
        synchronized (this) {
            if (find(nodeId).isPresent()) {
                return false;
            }
            pin(nodeId, key);
            return true;
        }
    }

    /** The fingerprint ({@code SHA256:...}) an operator declared for the node, if any: only that key may be pinned. */
    default Optional<String> expectedFingerprint(String nodeId) {
        return Optional.empty();
    }

    /** Forgets the pinned key so that the next connect pins the presented one (operator action). */
    void clear(String nodeId);
}
