package io.groupai.fleet.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's command set: init, then status / enable / disable against a running pool. */
class RouterMainTest {

    @TempDir
    Path dir;

    @Test
    void initWritesTheSeedsConfigAndStatusAndDisableTalkToTheRunningPool() throws Exception {
        Path config = dir.resolve("multi_account_config.json");
        assertThat(RouterMain.run(new String[] {"init", "--config", config.toString()}))
                .isZero();
        RouterConfig written = RouterConfig.load(config);
        assertThat(written.router().port()).isEqualTo(8080);
        assertThat(written.accounts())
                .extracting(RouterConfig.Account::id)
                .containsExactly("account_a", "account_b", "account_c");
        String before = Files.readString(config);
        assertThat(RouterMain.run(new String[] {"init", "--config", config.toString()}))
                .isZero();
        assertThat(Files.readString(config)).isEqualTo(before); // never overwritten

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (TestUpstream a = new TestUpstream("account_a")) {
            Files.writeString(
                    config,
                    before.replace("\"port\": 8080", "\"port\": " + port)
                            .replace("\"host\": \"0.0.0.0\"", "\"host\": \"127.0.0.1\"")
                            .replace("\"port\": 2048", "\"port\": " + a.port()));
            Files.writeString(dir.resolve("auth_profiles/key.txt"), "sk-router-key-001\n");
            try (RoutingPool pool = RoutingPool.start(RoutingPool.Options.of(config))) {
                PrintStream out = System.out;
                ByteArrayOutputStream captured = new ByteArrayOutputStream();
                System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
                try {
                    assertThat(RouterMain.run(new String[] {"status", "--config", config.toString()}))
                            .isZero();
                    assertThat(RouterMain.run(new String[] {"disable", "account_b", "--config", config.toString()}))
                            .isZero();
                    // A pool started with --port: status finds it when given the same --port.
                    Path elsewhere = dir.resolve("other_config.json");
                    Files.writeString(elsewhere, Files.readString(config).replace("\"port\": " + port, "\"port\": 1"));
                    assertThat(RouterMain.run(new String[] {
                                "status", "--config", elsewhere.toString(), "--port", Integer.toString(port)
                            }))
                            .isZero();
                } finally {
                    System.setOut(out);
                }
                String printed = captured.toString(StandardCharsets.UTF_8);
                assertThat(printed)
                        .contains("strategy: roundrobin")
                        .contains("account_a")
                        .contains("account_c");
                assertThat(printed).contains("account_b: enabled=false");
                assertThat(pool.pool().find("account_b").orElseThrow().enabled())
                        .isFalse();
                assertThat(RouterMain.run(new String[] {"enable", "nope", "--config", config.toString()}))
                        .isEqualTo(1);
            }
        }
    }
}
