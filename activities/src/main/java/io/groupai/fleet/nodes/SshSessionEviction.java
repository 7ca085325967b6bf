package io.groupai.fleet.nodes;

import io.groupai.fleet.nodes.ssh.SshSessionPool;
import io.groupai.fleet.registry.ServerChangedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Pooled SSH sessions were opened with the old address, credentials or host key: drop them. */
@Component
class SshSessionEviction {

    private final SshSessionPool pool;

    SshSessionEviction(SshSessionPool pool) {
        this.pool = pool;
    }

    @EventListener
    void on(ServerChangedEvent event) {
        pool.evict(event.nodeId());
    }
}
