package io.groupai.fleet.app;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole control plane on a random HTTP port, with the embedded Temporal server on a free
 * loopback port and an in-memory H2 database, unless DB_URL points the run at MySQL/MariaDB
 * (CI's second pass). All test classes share one context. The test admin that {@link Api} signs in
 * as comes from {@code config/application.properties} on the test classpath.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.datasource.url=${DB_URL:jdbc:h2:mem:fleet;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1}",
            "groupai.temporal.embedded.server=java-test-server",
            "groupai.temporal.embedded.port=0",
            "groupai.gate.port=0",
            "groupai.demo.enabled=false",
            // Tests run the reconciler themselves; a scheduled run would repair other tests' fixtures.
            "groupai.reconcile.scheduled=false",
            // Tests run backups themselves (they stop accounts for a moment).
            "groupai.session-backups.scheduled=false",
            "groupai.router.port=0",
            "groupai.router.host=127.0.0.1",
            "groupai.router.config=${java.io.tmpdir}/groupai-test/multi_account_config.json",
            // Test output stays readable; the JSON format has its own test (StructuredLoggingTest).
            "GROUPAI_LOG_FORMAT=text",
            "groupai.data-dir=${java.io.tmpdir}/groupai-test",
            "groupai.sessions.dir=${java.io.tmpdir}/groupai-test/sessions",
            "groupai.sessions.max-unpacked-bytes=8388608",
            "groupai.secrets.key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "groupai.security.keys-dir=${java.io.tmpdir}/groupai-test/keys",
            "GROUPAI_SSH_KEY_FILE=${java.io.tmpdir}/groupai-test/keys/test-key",
            "FLEET_SECRET_TEST_SSH_PASSWORD=fleet-secret-password-789",
            "LOS_ANGELES_SSH_PASSWORD=la-secret-password-123",
            "MANILA_SSH_PASSWORD=manila-secret-password-456",
        })
@Tag("database")
public @interface FleetIntegrationTest {}
