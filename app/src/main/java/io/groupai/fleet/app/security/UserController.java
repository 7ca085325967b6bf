package io.groupai.fleet.app.security;

import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Users (admin only): create with a role, change password/role/enabled, delete. Hashes never leave. */
@RestController
@RequestMapping("/api/v1/auth/users")
class UserController {

    record UserRequest(String username, String password, String role, Boolean enabled) {}

    record UserView(String username, String role, boolean enabled, Instant createdAt, Instant updatedAt) {
        static UserView of(UserStore.OperatorUser u) {
            return new UserView(u.username(), u.role().wire(), u.enabled(), u.createdAt(), u.updatedAt());
        }
    }

    private final UserStore users;
    private final PasswordEncoder passwords;
    private final AuditLog audit;

    UserController(UserStore users, PasswordEncoder passwords, AuditLog audit) {
        this.users = users;
        this.passwords = passwords;
        this.audit = audit;
    }

    @GetMapping
    List<UserView> list() {
        return users.list().stream().map(UserView::of).toList();
    }

    @GetMapping("/{username}")
    UserView get(@PathVariable String username) {
        return UserView.of(find(username));
    }

    @PostMapping
    synchronized ResponseEntity<UserView> create(
            @RequestBody UserRequest body, Authentication who, HttpServletRequest request) {
        if (body == null) {
            throw new InvalidInputException("body", "give {\"username\", \"password\", \"role\"}");
        }
        Passwords.checkUsername(body.username());
        Passwords.checkPassword(body.password());
        Role role = role(body.role(), true);
        if (users.find(body.username()).isPresent()) {
            throw new ConflictException("user " + body.username() + " already exists; change it with PUT");
        }
        users.insert(body.username(), passwords.encode(body.password()), role);
        audit.record(
                who.getName(), "user.create", body.username(), "201", "role " + role.wire(), request.getRemoteAddr());
        return ResponseEntity.created(URI.create("/api/v1/auth/users/" + body.username()))
                .body(UserView.of(find(body.username())));
    }

    /** Any of password, role, enabled; the others stay. The last enabled admin cannot be demoted or disabled. */
    @PutMapping("/{username}")
    synchronized UserView update(
            @PathVariable String username,
            @RequestBody UserRequest body,
            Authentication who,
            HttpServletRequest request) {
        UserStore.OperatorUser current = find(username);
        if (body == null) {
            throw new InvalidInputException("body", "give any of password, role, enabled");
        }
        if (body.password() != null) {
            Passwords.checkPassword(body.password());
        }
        Role role = role(body.role(), false);
        boolean losesAdmin = current.role() == Role.ADMIN
                && current.enabled()
                && ((role != null && role != Role.ADMIN) || Boolean.FALSE.equals(body.enabled()));
        if (losesAdmin && users.enabledAdmins() <= 1) {
            throw new ConflictException(
                    "user " + username + " is the last enabled admin; make another user admin first");
        }
        users.update(
                username, body.password() == null ? null : passwords.encode(body.password()), role, body.enabled());
        StringBuilder changed = new StringBuilder();
        if (body.password() != null) {
            changed.append("password ");
        }
        if (role != null) {
            changed.append("role ").append(role.wire()).append(' ');
        }
        if (body.enabled() != null) {
            changed.append("enabled ").append(body.enabled());
        }
        audit.record(
                who.getName(),
                "user.update",
                username,
                "200",
                changed.toString().trim(),
                request.getRemoteAddr());
        return UserView.of(find(username));
    }

    @DeleteMapping("/{username}")
    synchronized ResponseEntity<Void> delete(
            @PathVariable String username, Authentication who, HttpServletRequest request) {
        UserStore.OperatorUser current = find(username);
        if (current.role() == Role.ADMIN && current.enabled() && users.enabledAdmins() <= 1) {
            throw new ConflictException(
                    "user " + username + " is the last enabled admin; make another user admin first");
        }
        users.delete(username);
        audit.record(who.getName(), "user.delete", username, "204", null, request.getRemoteAddr());
        return ResponseEntity.noContent().build();
    }

    private UserStore.OperatorUser find(String username) {
        return users.find(username)
                .orElseThrow(
                        () -> new NotFoundException("no user " + username + "; list them with GET /api/v1/auth/users"));
    }

    static Role role(String value, boolean required) {
        if (value == null) {
            if (required) {
                throw new InvalidInputException("role", "is required: one of " + Role.allWire());
            }
            return null;
        }
        return Role.fromWire(value)
                .orElseThrow(() -> new InvalidInputException("role", "must be one of " + Role.allWire()));
    }
}
