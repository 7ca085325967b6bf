package io.groupai.fleet.nodes.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValidationTest {

    @Test
    void shellQuoteSurvivesHostileInput() {
        assertThat(ShellQuote.quote("a b")).isEqualTo("'a b'");
        assertThat(ShellQuote.quote("it's; rm -rf /")).isEqualTo("'it'\\''s; rm -rf /'");
        assertThat(ShellQuote.join(List.of("echo", "$(id)", "`x`"))).isEqualTo("'echo' '$(id)' '`x`'");
        assertThatThrownBy(() -> ShellQuote.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void targetRejectsShellMetacharactersAndTraversal() {
        SshTarget ok = new SshTarget("worker-01", "10.0.0.5", 22, "root", "/opt/group-ai/");
        assertThat(ok.deployDir()).isEqualTo("/opt/group-ai");
        assertThat(ok.pidFile()).isEqualTo("/opt/group-ai/run/worker-node.pid");
        for (String dir : List.of("relative/dir", "/opt/$(reboot)", "/opt/a b", "/opt/../etc", "/opt/x;y", "/")) {
            assertThatThrownBy(() -> new SshTarget("worker-01", "h", 22, "root", dir))
                    .isInstanceOfSatisfying(
                            SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.INVALID_INPUT));
        }
        for (String id : List.of("Worker 1", "a;b", "a:b", "a/b", "-lead", "a".repeat(64))) {
            assertThatThrownBy(() -> new SshTarget(id, "h", 22, "root", "/opt")).hasMessageContaining("nodeId");
        }
        assertThat(new SshTarget("gw-01_a.b", "h", 22, "root", "/opt").nodeId()).isEqualTo("gw-01_a.b");
        assertThatThrownBy(() -> new SshTarget("w1", "h;x", 22, "root", "/opt")).hasMessageContaining("host");
        assertThatThrownBy(() -> new SshTarget("w1", "h", 0, "root", "/opt")).hasMessageContaining("port");
    }

    @Test
    void credentialsNeverPrintSecrets() {
        assertThat(SshCredentials.Password.of("hunter2").toString()).doesNotContain("hunter2");
        var key = new SshCredentials.PrivateKey("-----BEGIN SECRET".getBytes(), "pp".getBytes());
        assertThat(key.toString()).doesNotContain("BEGIN", "pp");
    }

    @Test
    void fingerprintMatchesOpenSshFormat() {
        // expected value printed by `ssh-keygen -lf` for this public key
        PinnedHostKey key = new PinnedHostKey(
                "ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
        assertThat(key.fingerprint()).isEqualTo("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU");
        assertThat(PinnedHostKey.fromBlob(key.blob())).isEqualTo(key);
    }
}
