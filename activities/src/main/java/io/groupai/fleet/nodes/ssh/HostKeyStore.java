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

    /** Forgets the pinned key so that the next connect pins the presented one (operator action). */
    void clear(String nodeId);
}
