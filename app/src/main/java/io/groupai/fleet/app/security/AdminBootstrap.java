package io.groupai.fleet.app.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * The first admin. With GROUPAI_ADMIN_PASSWORD set, the admin GROUPAI_ADMIN_USERNAME (default
 * {@code admin}) is created, or — when it exists — given that password, the admin role and enabled
 * again (the way back in after a lost password). Without it, and only while there is no user at all,
 * a password is generated and printed once: the only secret this app ever logs. Only its hash is kept.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class AdminBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final UserStore users;
    private final PasswordEncoder passwords;
    private final SecurityProperties properties;
    private final AuditLog audit;

    AdminBootstrap(UserStore users, PasswordEncoder passwords, SecurityProperties properties, AuditLog audit) {
        this.users = users;
        this.passwords = passwords;
        this.properties = properties;
        this.audit = audit;
    }

    @Override
    public void run(ApplicationArguments args) {
        String username = properties.adminUsername();
        Passwords.checkUsernameAtStart(username);
        String configured = properties.adminPassword();
        if (configured != null && !configured.isEmpty()) {
            if (configured.length() < Passwords.MIN_LENGTH || Passwords.tooLong(configured)) {
                throw new IllegalStateException("GROUPAI_ADMIN_PASSWORD must be " + Passwords.MIN_LENGTH + " to "
                        + Passwords.MAX_BYTES + " bytes (UTF-8) long");
            }
            var existing = users.find(username);
            if (existing.isEmpty()) {
                users.insert(username, passwords.encode(configured), Role.ADMIN);
                audit.record("system", "user.create", username, "created", "admin from GROUPAI_ADMIN_PASSWORD", null);
                log.info("created admin user '{}' from GROUPAI_ADMIN_USERNAME/GROUPAI_ADMIN_PASSWORD", username);
            } else if (!passwords.matches(configured, existing.get().passwordHash())
                    || existing.get().role() != Role.ADMIN
                    || !existing.get().enabled()) {
                users.update(username, passwords.encode(configured), Role.ADMIN, true);
                audit.record("system", "user.update", username, "reset", "admin from GROUPAI_ADMIN_PASSWORD", null);
                log.info("admin user '{}' reset to GROUPAI_ADMIN_PASSWORD (password, admin role, enabled)", username);
            }
            return;
        }
        if (users.count() > 0) {
            return;
        }
        String generated = Passwords.generate();
        users.insert(username, passwords.encode(generated), Role.ADMIN);
        audit.record("system", "user.create", username, "created", "admin with a generated password", null);
        log.warn(
                "\n================ GENERATED ADMIN PASSWORD (printed once; only its hash is stored) ================\n"
                        + "  username: {}\n"
                        + "  password: {}\n"
                        + "  Get a token: curl -s -X POST localhost:<PORT>/api/v1/auth/token -H 'Content-Type: application/json'"
                        + " -d '{\"username\": \"{}\", \"password\": \"<the password>\"}'\n"
                        + "  Set GROUPAI_ADMIN_PASSWORD to choose it instead (it also resets a lost one).\n"
                        + "====================================================================================================",
                username,
                generated,
                username);
    }
}
