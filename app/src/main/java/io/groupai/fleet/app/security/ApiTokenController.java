package io.groupai.fleet.app.security;

import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Long-lived API tokens (admin only). The token itself is in the creation answer and nowhere else. */
@RestController
@RequestMapping("/api/v1/auth/api-tokens")
class ApiTokenController {

    record TokenRequest(String name, String role, Integer expiresInDays) {}

    record TokenView(
            long id,
            String name,
            String role,
            String createdBy,
            Instant createdAt,
            Instant expiresAt,
            Instant revokedAt,
            Instant lastUsedAt) {
        static TokenView of(ApiTokenStore.ApiToken t) {
            return new TokenView(
                    t.id(),
                    t.name(),
                    t.role().wire(),
                    t.createdBy(),
                    t.createdAt(),
                    t.expiresAt(),
                    t.revokedAt(),
                    t.lastUsedAt());
        }
    }

    record CreatedView(long id, String name, String role, Instant expiresAt, String token, String note) {}

    private final ApiTokenStore tokens;
    private final AuditLog audit;
    private final Clock clock;

    ApiTokenController(ApiTokenStore tokens, AuditLog audit, Clock clock) {
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    @GetMapping
    List<TokenView> list() {
        return tokens.list().stream().map(TokenView::of).toList();
    }

    @PostMapping
    ResponseEntity<CreatedView> create(@RequestBody TokenRequest body, Authentication who, HttpServletRequest request) {
        if (body == null || body.name() == null || !body.name().matches("[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}")) {
            throw new InvalidInputException(
                    "name", "is required: 1-100 characters, letters, digits, space and . _ @ - (what uses the token)");
        }
        Role role = UserController.role(body.role(), true);
        Integer days = body.expiresInDays();
        if (days != null && (days < 1 || days > 3650)) {
            throw new InvalidInputException("expires_in_days", "must be 1 to 3650 (or left out: no expiry)");
        }
        Instant expires = days == null ? null : clock.instant().plus(Duration.ofDays(days));
        ApiTokenStore.Created created = tokens.create(body.name(), role, who.getName(), expires);
        audit.record(
                who.getName(),
                "api_token.create",
                "api-token:" + created.token().id() + ":" + body.name(),
                "201",
                "role " + role.wire(),
                request.getRemoteAddr());
        return ResponseEntity.created(
                        URI.create("/api/v1/auth/api-tokens/" + created.token().id()))
                .cacheControl(CacheControl.noStore())
                .body(new CreatedView(
                        created.token().id(),
                        created.token().name(),
                        role.wire(),
                        expires,
                        created.secret(),
                        "shown once: store it now; only its hash is kept"));
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> revoke(@PathVariable long id, Authentication who, HttpServletRequest request) {
        ApiTokenStore.ApiToken token = tokens.get(id)
                .orElseThrow(() ->
                        new NotFoundException("no API token " + id + "; list them with GET /api/v1/auth/api-tokens"));
        tokens.revoke(id);
        audit.record(
                who.getName(),
                "api_token.revoke",
                "api-token:" + id + ":" + token.name(),
                "204",
                null,
                request.getRemoteAddr());
        return ResponseEntity.noContent().build();
    }
}
