package io.groupai.fleet.app.security;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * What an operator may do. Each role includes the ones below it: a viewer reads; an operator also
 * allocates, deploys, migrates, runs server operations and uploads sessions; an admin also changes the
 * server registry (servers, keys, host-key pins), users and API tokens, and reads the audit log.
 */
public enum Role {
    VIEWER,
    OPERATOR,
    ADMIN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String authority() {
        return "ROLE_" + name();
    }

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    /** This role's authority and those of every role it includes. */
    public List<GrantedAuthority> authorities() {
        return Arrays.stream(values())
                .filter(this::includes)
                .map(r -> (GrantedAuthority) new SimpleGrantedAuthority(r.authority()))
                .toList();
    }

    public static Optional<Role> fromWire(String value) {
        return Arrays.stream(values()).filter(r -> r.wire().equals(value)).findFirst();
    }

    public static String allWire() {
        return "viewer, operator, admin";
    }
}
