package io.groupai.fleet.nodes.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.UserInfo;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSch host-key check backed by a {@link HostKeyStore}: trust on first use, refuse any change.
 * One instance per connect attempt (sessions use the node id as host-key alias), so it can
 * remember what it saw and explain a refusal precisely.
 */
final class PinningHostKeyRepository implements HostKeyRepository {

    private static final Logger log = LoggerFactory.getLogger(PinningHostKeyRepository.class);

    private final String nodeId;
    private final HostKeyStore store;
    private volatile PinnedHostKey rejectedPinned;
    private volatile PinnedHostKey rejectedPresented;
    private volatile String rejectedExpected;

    PinningHostKeyRepository(String nodeId, HostKeyStore store) {
        this.nodeId = nodeId;
        this.store = store;
    }

    @Override
    public int check(String host, byte[] key) {
        PinnedHostKey presented;
        try {
            presented = PinnedHostKey.fromBlob(key);
        } catch (IllegalArgumentException e) {
            log.warn("server {} presented an unreadable host key: {}", nodeId, e.getMessage());
            return NOT_INCLUDED; // with StrictHostKeyChecking=yes JSch refuses the connection
        }
        Optional<PinnedHostKey> pinned = store.find(nodeId);
        if (pinned.isEmpty()) {
            Optional<String> expected = store.expectedFingerprint(nodeId);
            if (expected.isPresent() && !expected.get().equals(presented.fingerprint())) {
                rejectedExpected = expected.get();
                rejectedPresented = presented;
                log.warn(
                        "server {} presented host key {}, not the expected {}: refused, nothing pinned",
                        nodeId,
                        presented,
                        expected.get());
                return CHANGED;
            }
            // Pins only where no pin exists (one conditional update): of two racing first contacts, even from
            // two control-plane instances, one pins and the other compares against that pin.
            if (store.pinIfAbsent(nodeId, presented)) {
                log.info("pinned host key of server {} on first contact: {}", nodeId, presented);
                return OK;
            }
            pinned = store.find(nodeId);
            if (pinned.isEmpty()) {
                return NOT_INCLUDED; // cleared again in between: refuse this once, the next connect pins
            }
        }
        if (Arrays.equals(pinned.get().blob(), key)) {
            return OK;
        }
        rejectedPinned = pinned.get();
        rejectedPresented = presented;
        return CHANGED;
    }

    /** The refusal message when {@link #check} saw a changed key, else empty. */
    Optional<String> changedKeyMessage() {
        PinnedHostKey old = rejectedPinned;
        PinnedHostKey now = rejectedPresented;
        String expected = rejectedExpected;
        if (expected != null && now != null) {
            return Optional.of("the host key of server " + nodeId + " is not the expected one: expected " + expected
                    + ", presented " + now.type() + " " + now.fingerprint()
                    + ". Someone may be intercepting the connection, or the expected fingerprint is wrong."
                    + " Verify it on the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and correct"
                    + " host_key_fingerprint with PUT /api/v1/group-ai/servers/" + nodeId + ".");
        }
        if (old == null || now == null) {
            return Optional.empty();
        }
        return Optional.of("the host key of server " + nodeId + " changed: pinned " + old.type() + " "
                + old.fingerprint() + ", presented " + now.type() + " " + now.fingerprint()
                + ". The server may have been reinstalled, or someone may be intercepting the connection."
                + " Verify the new fingerprint on the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub);"
                + " to accept it deliberately, clear the pinned key with DELETE /api/v1/group-ai/servers/"
                + nodeId + "/host-key, then retry.");
    }

    /** Host key type to ask the server for first, so a server with several keys presents the pinned one. */
    Optional<String> pinnedType() {
        return store.find(nodeId).map(PinnedHostKey::type);
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        // Pinning happens in check(); JSch only calls add() for keys we reported as unknown, which we never accept.
    }

    @Override
    public void remove(String host, String type) {
        throw new UnsupportedOperationException("pinned host keys are cleared through HostKeyStore.clear");
    }

    @Override
    public void remove(String host, String type, byte[] key) {
        throw new UnsupportedOperationException("pinned host keys are cleared through HostKeyStore.clear");
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return "fleet-pinned-host-keys";
    }

    @Override
    public HostKey[] getHostKey() {
        return new HostKey[0];
    }

    @Override
    public HostKey[] getHostKey(String host, String type) {
        // JSch uses this to order host-key algorithms; the pool does that itself from pinnedType().
        return new HostKey[0];
    }
}
