package io.groupai.fleet.nodes.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProbeOutputParserTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static final String TYPICAL = """
            pid=4242
            alive=1
            cpu1=cpu  1000 0 1000 7000 1000 0 0 0 0 0
            cpu2=cpu  1100 0 1100 7700 100 0 0 0 0 0
            MemTotal:       16000000 kB
            MemFree:         1000000 kB
            MemAvailable:    4000000 kB
            Buffers:          500000 kB
            Cached:          2000000 kB
            df=/dev/vda1 1000 250 750 25% /srv/fleet
            """;

    @Test
    void parsesTypicalOutput() {
        ProbeResult r = ProbeOutputParser.parse("n1", TYPICAL, 12, NOW);
        assertThat(r.processAlive()).isTrue();
        assertThat(r.pid()).isEqualTo(4242L);
        // deltas: user 100, system 100, idle 700, iowait 0 (counter went backwards -> 0): busy 200 / 900
        assertThat(r.cpuUsage()).isCloseTo(100.0 * 200 / 900, within(0.01));
        assertThat(r.memoryUsage()).isCloseTo(75.0, within(0.001));
        assertThat(r.diskUsage()).isCloseTo(25.0, within(0.001));
        assertThat(r.latencyMillis()).isEqualTo(12);
        assertThat(r.probedAt()).isEqualTo(NOW);
    }

    @Test
    void deadProcessHasNoPidAndMissingPidFileIsNotAnError() {
        String out = TYPICAL.replace("alive=1", "alive=0");
        assertThat(ProbeOutputParser.parse("n1", out, 1, NOW).processAlive()).isFalse();
        assertThat(ProbeOutputParser.parse("n1", out, 1, NOW).pid()).isNull();
        String noPid = TYPICAL.replace("pid=4242", "pid=").replace("alive=1", "alive=0");
        assertThat(ProbeOutputParser.parse("n1", noPid, 1, NOW).processAlive()).isFalse();
    }

    @Test
    void toleratesNoiseOrderCrLfAndDeviceNamesWithSpaces() {
        String out = "Welcome banner\r\nMemTotal: 1000 kB\r\nMemAvailable: 1000 kB\r\n"
                + "df=map auto_home  5000  5000  0  100%  /home\r\n"
                + "cpu2=cpu 10 0 10 10 0 0 0 0\r\ncpu1=cpu 10 0 10 10 0 0 0 0\r\nalive=1\r\n";
        ProbeResult r = ProbeOutputParser.parse("n1", out, 0, NOW);
        assertThat(r.cpuUsage()).isZero(); // no time passed
        assertThat(r.memoryUsage()).isZero();
        assertThat(r.diskUsage()).isEqualTo(100.0);
        assertThat(r.processAlive()).as("alive without a pid is not trusted").isFalse();
    }

    @Test
    void fallsBackToFreeBuffersCachedOnOldKernels() {
        String out = TYPICAL.replace("MemAvailable:    4000000 kB\n", "");
        ProbeResult r = ProbeOutputParser.parse("n1", out, 0, NOW);
        assertThat(r.memoryUsage()).isCloseTo(100.0 * (16_000_000 - 3_500_000) / 16_000_000, within(0.001));
    }

    @Test
    void missingOrGarbledNumbersFailTheProbeWithServerAndStep() {
        assertThatThrownBy(() -> ProbeOutputParser.parse("node-7", TYPICAL.replace("cpu2=cpu", "cpu2=xyz"), 0, NOW))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SshException.Kind.COMMAND_FAILED);
                    assertThat(e.step()).isEqualTo("probe");
                    assertThat(e.getMessage()).contains("node-7", "probe", "/proc/stat");
                });
        assertThatThrownBy(() -> ProbeOutputParser.parse("n", TYPICAL.replaceAll("df=.*", "df="), 0, NOW))
                .hasMessageContaining("df -P");
        assertThatThrownBy(() -> ProbeOutputParser.parse("n", TYPICAL.replace("MemTotal", "MemTotl"), 0, NOW))
                .hasMessageContaining("MemTotal");
    }
}
