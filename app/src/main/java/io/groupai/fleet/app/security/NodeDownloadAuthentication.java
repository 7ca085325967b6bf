package io.groupai.fleet.app.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * A node that presented its node token on the one operator path nodes use: the script download
 * the deployment workflow and update_script hand to every node ({@link AccessRules#nodeMayCall}).
 * It has no operator role.
 */
public final class NodeDownloadAuthentication extends AbstractAuthenticationToken {

    private final String nodeId;

    NodeDownloadAuthentication(String nodeId) {
        super(List.of());
        this.nodeId = nodeId;
        setAuthenticated(true);
    }

    public String nodeId() {
        return nodeId;
    }

    @Override
    public String getName() {
        return "node:" + nodeId;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return getName();
    }
}
