package io.groupai.fleet.app.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class HttpsEnvironmentPostProcessorTest {

    @TempDir
    Path dir;

    @Test
    void neitherFileMeansPlainHttp() {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources()
                .addFirst(new MapPropertySource("t", Map.of("GROUPAI_TLS_CERT", "", "GROUPAI_TLS_KEY", " ")));
        new HttpsEnvironmentPostProcessor().postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty("server.ssl.bundle")).isNull();
    }

    @Test
    void bothFilesMakeTheBundle() throws Exception {
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        Path key = Files.writeString(dir.resolve("k.pem"), "x");
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources()
                .addFirst(new MapPropertySource(
                        "t", Map.of("GROUPAI_TLS_CERT", cert.toString(), "GROUPAI_TLS_KEY", key.toString())));
        new HttpsEnvironmentPostProcessor().postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty("server.ssl.bundle")).isEqualTo(HttpsEnvironmentPostProcessor.BUNDLE);
        assertThat(env.getProperty("spring.ssl.bundle.pem.groupai-https.keystore.certificate"))
                .isEqualTo("file:" + cert.toAbsolutePath());
        assertThat(env.getProperty("spring.ssl.bundle.pem.groupai-https.keystore.private-key"))
                .isEqualTo("file:" + key.toAbsolutePath());
    }

    @Test
    void oneFileOrAnUnreadableOneStopsStartUpWithItsName() throws Exception {
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        assertThatThrownBy(() -> HttpsEnvironmentPostProcessor.properties(cert.toString(), null))
                .hasMessageContaining("only GROUPAI_TLS_CERT is set");
        assertThatThrownBy(() -> HttpsEnvironmentPostProcessor.properties("", cert.toString()))
                .hasMessageContaining("only GROUPAI_TLS_KEY is set");
        assertThatThrownBy(() -> HttpsEnvironmentPostProcessor.properties(
                        cert.toString(), dir.resolve("missing.key").toString()))
                .hasMessageContaining("GROUPAI_TLS_KEY " + dir.resolve("missing.key"))
                .hasMessageContaining("is not a readable file");
    }
}
