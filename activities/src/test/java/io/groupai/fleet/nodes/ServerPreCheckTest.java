package io.groupai.fleet.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bootstrap's pre-check: which servers can run the distribution, and what it says about the others. */
class ServerPreCheckTest {

    private static final NodeDistribution.Manifest MANIFEST =
            new NodeDistribution.Manifest("0.1.0", "ab".repeat(32), "25.0.3", "Linux", "x86_64", "2.17");

    @Test
    void aPlainLinuxServerWithGlibcIsSupported() {
        assertThat(NodeInstallActivitiesImpl.unsupported(MANIFEST, "Linux", "x86_64", "glibc 2.36", List.of()))
                .isEmpty();
        assertThat(NodeInstallActivitiesImpl.unsupported(
                        MANIFEST, "Linux", "x86_64", "ldd (Debian GLIBC 2.36-9+deb12u14) 2.36", List.of()))
                .isEmpty();
        assertThat(NodeInstallActivitiesImpl.unsupported(MANIFEST, "Linux", "x86_64", "glibc 2.17", List.of()))
                .isEmpty();
    }

    @Test
    void everyReasonIsNamed() {
        assertThat(NodeInstallActivitiesImpl.unsupported(MANIFEST, "Linux", "aarch64", "glibc 2.36", List.of()))
                .containsExactly("its architecture is aarch64");
        assertThat(NodeInstallActivitiesImpl.unsupported(MANIFEST, "Linux", "x86_64", "glibc 2.12", List.of()))
                .containsExactly("its glibc is 2.12");
        assertThat(NodeInstallActivitiesImpl.unsupported(MANIFEST, "Linux", "x86_64", "musl libc (x86_64)", List.of()))
                .containsExactly("its C library is not glibc (musl libc (x86_64))");
        assertThat(NodeInstallActivitiesImpl.unsupported(MANIFEST, "FreeBSD", "amd64", "", List.of("gzip")))
                .containsExactly("its OS is FreeBSD", "its C library is not glibc (unknown)", "gzip is not installed");
    }

    @Test
    void glibcVersionsCompareNumerically() {
        assertThat(NodeInstallActivitiesImpl.glibcVersion("glibc 2.5")).isEqualTo("2.5");
        assertThat(NodeInstallActivitiesImpl.compareVersions("2.5", "2.17")).isNegative();
        assertThat(NodeInstallActivitiesImpl.compareVersions("2.36", "2.17")).isPositive();
    }

    @Test
    void bootstrapTreatsPlainHttpToAnotherHostAsInsecure() {
        assertThat(NodeInstallActivitiesImpl.insecure("http://10.0.0.5:8080")).isTrue();
        assertThat(NodeInstallActivitiesImpl.insecure("http://fleet.example.com"))
                .isTrue();
        assertThat(NodeInstallActivitiesImpl.insecure("http://127.0.0.1.evil.example:8080"))
                .isTrue();
        assertThat(NodeInstallActivitiesImpl.insecure("https://fleet.example.com"))
                .isFalse();
        assertThat(NodeInstallActivitiesImpl.insecure("http://127.0.0.1:8080")).isFalse();
        assertThat(NodeInstallActivitiesImpl.insecure("http://localhost:8080")).isFalse();
        assertThat(NodeInstallActivitiesImpl.insecure("http://[::1]:8080")).isFalse();
    }
}
