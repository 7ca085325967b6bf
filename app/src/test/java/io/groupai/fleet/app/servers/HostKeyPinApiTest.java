package io.groupai.fleet.app.servers;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.nodes.ssh.HostKeyStore;
import io.groupai.fleet.nodes.ssh.PinnedHostKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** An expected host key fingerprint at registration; pins written only where none exists. */
@FleetIntegrationTest
class HostKeyPinApiTest {

    static final String FINGERPRINT = "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    HostKeyStore hostKeys;

    Api api;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
    }

    @Test
    void anExpectedFingerprintIsStoredAndAMalformedOneRefused() {
        Api.Response bad = register("node-a", "\"host_key_fingerprint\": \"MD5:aa:bb\"");
        assertThat(bad.status()).as(bad.body()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsString("field")).contains("host_key_fingerprint");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM servers").query(Integer.class).single())
                .isZero();

        Api.Response ok = register("node-a", "\"host_key_fingerprint\": \"" + FINGERPRINT + "\"");
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        assertThat(hostKeys.expectedFingerprint("node-a")).contains(FINGERPRINT);
        assertThat(register("node-b", null).status()).isEqualTo(201);
        assertThat(hostKeys.expectedFingerprint("node-b")).isEmpty();
    }

    @Test
    void aPinIsWrittenOnlyWhereNoneExistsInOneConditionalUpdate() {
        assertThat(register("node-a", null).status()).isEqualTo(201);
        PinnedHostKey first = new PinnedHostKey(
                "ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
        PinnedHostKey second = new PinnedHostKey("ssh-rsa", "AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7");

        assertThat(hostKeys.pinIfAbsent("node-a", first)).isTrue();
        assertThat(hostKeys.pinIfAbsent("node-a", second)).isFalse();
        assertThat(hostKeys.find("node-a")).contains(first);

        hostKeys.clear("node-a");
        assertThat(hostKeys.pinIfAbsent("node-a", second)).isTrue();
        assertThat(hostKeys.find("node-a")).contains(second);
    }

    private Api.Response register(String nodeId, String extra) {
        return api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/%s", "max_accounts": 3%s}""".formatted(nodeId, nodeId, extra == null ? "" : ", " + extra));
    }
}
