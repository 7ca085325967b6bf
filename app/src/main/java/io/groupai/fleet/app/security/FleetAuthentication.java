package io.groupai.fleet.app.security;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * A signed-in operator: a user (from an access token) or an API token. The name is what the audit
 * log records: the username, or {@code api-token:<id>:<name>}.
 */
public final class FleetAuthentication extends AbstractAuthenticationToken {

    private final String name;
    private final Role role;

    FleetAuthentication(String name, Role role) {
        super(role.authorities());
        this.name = name;
        this.role = role;
        setAuthenticated(true);
    }

    public Role role() {
        return role;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return name;
    }
}
