package io.groupai.fleet.node.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.scripts.ScriptStore;
import io.groupai.fleet.node.sessions.SessionStore;
import io.groupai.fleet.node.telegram.TelegramAccountState;
import io.groupai.fleet.node.telegram.TelegramListener;
import io.groupai.fleet.node.telegram.TelegramRuntime;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting accounts for a login: alive clients are kept, dead sessions get a fresh client. */
class AccountRunnerLoginTest {

    @TempDir
    Path deployDir;

    /** Records starts and stops; the test plays TDLib's part by calling the listener. */
    static final class StubRuntime implements TelegramRuntime {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Map<String, TelegramListener> listeners = new ConcurrentHashMap<>();

        @Override
        public String name() {
            return "stub";
        }

        @Override
        public TelegramAccountState start(
                String accountId, Path databaseDirectory, String databaseKey, TelegramListener listener) {
            calls.add("start " + accountId);
            listeners.put(accountId, listener);
            return TelegramAccountState.WAITING_LOGIN;
        }

        @Override
        public void stop(String accountId) {
            calls.add("stop " + accountId);
        }

        @Override
        public long sendMessage(String accountId, long chatId, String text) {
            return 0;
        }

        @Override
        public void close() {}
    }

    @Test
    void aLiveClientIsKeptAndARevokedOneIsRestartedWithItsScript() throws Exception {
        StubRuntime runtime = new StubRuntime();
        AccountRunner runner = new AccountRunner(
                runtime,
                new SessionStore(deployDir, 1 << 20, Clock.systemUTC()),
                new ScriptStore(
                        deployDir.resolve("scripts"), new ControlPlaneHttp(URI.create("http://127.0.0.1:9"), "t")),
                Clock.systemUTC());

        runner.startForLogin("acc");
        assertThat(runtime.calls).containsExactly("start acc");
        runner.startForLogin("acc"); // waiting for the login: the same client takes the next step
        assertThat(runtime.calls).containsExactly("start acc");

        runner.start("acc", "welcome"); // script chosen meanwhile
        runtime.listeners.get("acc").onState("acc", TelegramAccountState.SESSION_REVOKED, "terminated elsewhere");
        runner.startForLogin("acc");
        assertThat(runtime.calls).containsExactly("start acc", "stop acc", "start acc");
        assertThat(runner.list()).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo("waiting_login");
            assertThat(s.scriptId()).isEqualTo("welcome");
        });

        runtime.listeners.get("acc").onState("acc", TelegramAccountState.ONLINE, "");
        runner.startForLogin("acc");
        assertThat(runtime.calls).hasSize(3);
    }
}
