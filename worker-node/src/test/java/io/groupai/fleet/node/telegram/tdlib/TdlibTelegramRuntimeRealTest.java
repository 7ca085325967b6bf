package io.groupai.fleet.node.telegram.tdlib;

import static io.groupai.fleet.node.telegram.tdlib.TdlibTestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.node.telegram.LoginState;
import io.groupai.fleet.node.telegram.LoginStep;
import io.groupai.fleet.node.telegram.TelegramAccountState;
import io.groupai.fleet.node.telegram.TelegramException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime interface against the real libtdjson.so, offline. */
class TdlibTelegramRuntimeRealTest {

    /** A database key as the control plane hands it out (base64 of 32 bytes). */
    static final String KEY = "dGVzdC1kYXRhYmFzZS1rZXktMDEyMzQ1Njc4OWFiY2Q=";

    private static TdlibTelegramRuntime runtime;

    @TempDir
    Path deployDir;

    @BeforeAll
    static void open() {
        TdlibClientManager manager = new TdlibClientManager(
                TdlibTestSupport.realLibrary(), TdlibTestSupport.CONFIG.withCloseTimeout(Duration.ofSeconds(20)));
        runtime = new TdlibTelegramRuntime(manager, Duration.ofSeconds(60), Duration.ofSeconds(20));
    }

    @AfterAll
    static void shut() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void anEmptySessionDirectoryWaitsForALoginAndStopClosesTheClient() throws Exception {
        TdlibTelegramRuntimeTest.Recorder listener = new TdlibTelegramRuntimeTest.Recorder();
        Path td = deployDir.resolve("sessions/acc-real/td");

        assertThat(runtime.start("acc-real", td, KEY, listener)).isEqualTo(TelegramAccountState.WAITING_LOGIN);
        assertThat(runtime.name()).isEqualTo("tdlib");
        assertThat(Files.exists(td.resolve("td.binlog"))).isTrue();
        eventually(() -> listener.saw(TelegramAccountState.WAITING_LOGIN));
        assertThat(listener.states).anyMatch(s -> s.contains("/api/v1/group-ai/accounts/acc-real/login"));
        // Idempotent start.
        assertThat(runtime.start("acc-real", td, KEY, listener)).isEqualTo(TelegramAccountState.WAITING_LOGIN);
        // Out-of-order steps are refused before anything reaches Telegram.
        assertThat(runtime.submitLogin("acc-real", LoginStep.CODE, "12345").state())
                .isEqualTo(LoginState.WAITING_PHONE);

        runtime.stop("acc-real");
        assertThat(listener.states.getLast()).startsWith("stopped:");
        assertThatThrownBy(() -> runtime.sendMessage("acc-real", 1, "hi"))
                .isInstanceOfSatisfying(
                        TelegramException.class,
                        e -> assertThat(e.kind()).isEqualTo(TelegramException.Kind.NOT_RUNNING));

        // The session directory can be opened again after the stop.
        assertThat(runtime.start("acc-real", td, KEY, listener)).isEqualTo(TelegramAccountState.WAITING_LOGIN);
        runtime.stop("acc-real");
    }
}
