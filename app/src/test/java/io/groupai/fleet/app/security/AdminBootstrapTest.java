package io.groupai.fleet.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.FleetIntegrationTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;

/** The first admin: generated and printed once when no password is configured, else taken (and reset) from it. */
@FleetIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class AdminBootstrapTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    UserStore users;

    @Autowired
    PasswordEncoder passwords;

    @Autowired
    AuditLog audit;

    @AfterEach
    void restoreTheTestAdmin() {
        bootstrap("test-admin", Api.TEST_ADMIN_PASSWORD);
    }

    @Test
    void withoutAPasswordTheFirstStartGeneratesOnePrintsItOnceAndStoresOnlyItsHash(CapturedOutput output)
            throws Exception {
        jdbc.sql("DELETE FROM operator_users").update();

        bootstrap("admin", null);

        Matcher printed = Pattern.compile(
                        "GENERATED ADMIN PASSWORD.*?username: (\\S+)\\s+password: (\\S+)", Pattern.DOTALL)
                .matcher(output.getOut());
        assertThat(printed.find()).as(output.getOut()).isTrue();
        assertThat(printed.group(1)).isEqualTo("admin");
        String password = printed.group(2);
        assertThat(password).hasSizeGreaterThanOrEqualTo(20);
        String stored = users.find("admin").orElseThrow().passwordHash();
        assertThat(stored).startsWith("$2").doesNotContain(password);
        assertThat(passwords.matches(password, stored)).isTrue();
        assertThat(Api.signedIn(port, "admin", password)
                        .get("/api/v1/auth/me")
                        .json()
                        .get("role")
                        .asString())
                .isEqualTo("admin");

        // A second start with a user present prints nothing new.
        bootstrap("admin", null);
        assertThat(output.getOut().split(Pattern.quote(password), -1)).hasSize(2);
        assertThat(output.getOut()).doesNotContain(Api.TEST_ADMIN_PASSWORD);
        jdbc.sql("DELETE FROM operator_users WHERE username = 'admin'").update();
    }

    @Test
    void aConfiguredPasswordResetsAnExistingAdmin() {
        jdbc.sql("UPDATE operator_users SET role = 'viewer', enabled = FALSE WHERE username = 'test-admin'")
                .update();
        bootstrap("test-admin", Api.TEST_ADMIN_PASSWORD);
        UserStore.OperatorUser admin = users.find("test-admin").orElseThrow();
        assertThat(admin.role()).isEqualTo(Role.ADMIN);
        assertThat(admin.enabled()).isTrue();
        assertThat(List.of(admin.passwordHash())).noneMatch(h -> h.contains(Api.TEST_ADMIN_PASSWORD));
    }

    private void bootstrap(String username, String password) {
        new AdminBootstrap(
                        users,
                        passwords,
                        new SecurityProperties(
                                username,
                                password,
                                Duration.ofHours(1),
                                Api.TEST_JWT_KEY,
                                Path.of("unused"),
                                List.of("FLEET_SECRET_"),
                                Path.of("unused")),
                        audit)
                .run(null);
    }
}
