package io.groupai.fleet.app.security;

import io.groupai.fleet.app.web.ProblemHandler;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Sign-in: a username and password for a short-lived access token. */
@RestController
@RequestMapping("/api/v1/auth")
class AuthController {

    record TokenRequest(String username, String password) {}

    record TokenResponse(String accessToken, String tokenType, long expiresIn, String role) {}

    record Me(String name, String role) {}

    private final UserStore users;
    private final PasswordEncoder passwords;
    private final AccessTokens tokens;
    private final AuditLog audit;
    private final SignInLimiter limiter;
    /** Compared against when the user does not exist, so a wrong username takes as long as a wrong password. */
    private final String decoyHash;

    AuthController(
            UserStore users, PasswordEncoder passwords, AccessTokens tokens, AuditLog audit, SignInLimiter limiter) {
        this.users = users;
        this.passwords = passwords;
        this.tokens = tokens;
        this.audit = audit;
        this.limiter = limiter;
        this.decoyHash = passwords.encode("not a password of anyone " + System.nanoTime());
    }

    @PostMapping("/token")
    ResponseEntity<?> token(@RequestBody(required = false) TokenRequest body, HttpServletRequest request) {
        String username = body == null ? null : body.username();
        String password = body == null ? null : body.password();
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
            throw new io.groupai.fleet.registry.InvalidInputException(
                    "username", "give {\"username\": ..., \"password\": ...} as JSON");
        }
        String shown = username.length() > 64 ? username.substring(0, 64) : username;
        String address = SecurityConfiguration.remote(request);
        // Checked before the password: while limited, even the right password is not tried (no oracle).
        Optional<Duration> wait = limiter.retryAfter(shown, address);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            audit.record(
                    shown,
                    "auth.sign_in",
                    "/api/v1/auth/token",
                    "limited",
                    "too many failed sign-ins for this username or address; retry in " + seconds + " s",
                    address);
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(ProblemHandler.problem(
                            HttpStatus.TOO_MANY_REQUESTS,
                            "Too many failed sign-ins",
                            "too many failed sign-ins for this username or from this address; retry in " + seconds
                                    + " s (Retry-After). Failed attempts are audited."));
        }
        Optional<UserStore.OperatorUser> user =
                username.length() > 64 || Passwords.tooLong(password) ? Optional.empty() : users.find(username);
        boolean ok = passwords.matches(
                        Passwords.tooLong(password) ? "" : password,
                        user.map(UserStore.OperatorUser::passwordHash).orElse(decoyHash))
                && user.isPresent();
        if (!ok || !user.get().enabled()) {
            limiter.failed(shown, address);
            audit.record(
                    shown,
                    "auth.sign_in",
                    "/api/v1/auth/token",
                    "failure",
                    ok ? "user disabled" : "wrong username or password",
                    address);
            throw new ResponseStatusException(
                    HttpStatus.UNAUTHORIZED,
                    ok
                            ? "this user is disabled; ask an admin"
                            : "wrong username or password (the first admin comes from GROUPAI_ADMIN_USERNAME/"
                                    + "GROUPAI_ADMIN_PASSWORD, or the password printed once in the log at the first start)");
        }
        AccessTokens.Issued issued = tokens.issue(user.get().username());
        audit.record(
                user.get().username(),
                "auth.sign_in",
                "/api/v1/auth/token",
                "success",
                null,
                SecurityConfiguration.remote(request));
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(new TokenResponse(
                        issued.token(),
                        "Bearer",
                        issued.expiresInSeconds(),
                        user.get().role().wire()));
    }

    @GetMapping("/me")
    Me me(Authentication who) {
        return new Me(who.getName(), ((FleetAuthentication) who).role().wire());
    }
}
