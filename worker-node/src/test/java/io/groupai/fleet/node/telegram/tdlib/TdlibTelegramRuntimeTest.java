package io.groupai.fleet.node.telegram.tdlib;

import static io.groupai.fleet.node.telegram.tdlib.TdlibFakeTd.authState;
import static io.groupai.fleet.node.telegram.tdlib.TdlibFakeTd.connection;
import static io.groupai.fleet.node.telegram.tdlib.TdlibFakeTd.error;
import static io.groupai.fleet.node.telegram.tdlib.TdlibFakeTd.ok;
import static io.groupai.fleet.node.telegram.tdlib.TdlibTestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groupai.fleet.node.telegram.LoginProgress;
import io.groupai.fleet.node.telegram.LoginState;
import io.groupai.fleet.node.telegram.LoginStep;
import io.groupai.fleet.node.telegram.TelegramAccountState;
import io.groupai.fleet.node.telegram.TelegramException;
import io.groupai.fleet.node.telegram.TelegramListener;
import io.groupai.fleet.node.telegram.TelegramUpdate;
import io.groupai.fleet.node.telegram.TelegramUser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime interface over TDLib, against the scripted libtdjson stand-in: which TDLib requests a login
 * sends (a real login needs Telegram), how FLOOD_WAIT and fatal errors surface, and the status mapping.
 */
class TdlibTelegramRuntimeTest {

    /** A database key as the control plane hands it out (base64 of 32 bytes). */
    static final String KEY = "dGVzdC1kYXRhYmFzZS1rZXktMDEyMzQ1Njc4OWFiY2Q=";

    private final TdlibFakeTd td = new TdlibFakeTd();
    private final Recorder listener = new Recorder();
    private TdlibTelegramRuntime runtime;

    static final class Recorder implements TelegramListener {
        final List<String> states = new CopyOnWriteArrayList<>();
        final List<TelegramUpdate> updates = new CopyOnWriteArrayList<>();
        volatile TelegramUser me;

        @Override
        public void onUpdate(TelegramUpdate update) {
            updates.add(update);
        }

        @Override
        public void onState(String accountId, TelegramAccountState state, String detail) {
            states.add(state.status() + ": " + detail);
        }

        @Override
        public void onAuthorized(String accountId, TelegramUser user) {
            me = user;
        }

        boolean saw(TelegramAccountState state) {
            return states.stream().anyMatch(s -> s.startsWith(state.status() + ":"));
        }
    }

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    /** TDLib's protocol basics; {@code more} answers everything else. */
    private TelegramAccountState start(TdlibConfig config, BiFunction<Integer, ObjectNode, List<ObjectNode>> more)
            throws Exception {
        td.handler = (clientId, request) -> switch (request.path("@type").asText()) {
            // The fake emits the first state on the first request, as TDLib does.
            case "getOption" ->
                List.of(
                        TdlibFakeTd.answer(
                                request,
                                TdlibClientManager.request("optionValueString").put("value", "1.8.67")),
                        authState(TdlibAccount.WAIT_TDLIB_PARAMETERS));
            case "setTdlibParameters" -> List.of(ok(request), authState(TdlibAccount.WAIT_PHONE_NUMBER));
            case "close" -> List.of(ok(request), authState(TdlibAccount.CLOSING), authState(TdlibAccount.CLOSED));
            default -> more.apply(clientId, request);
        };
        TdlibClientManager manager = new TdlibClientManager(td, config.withCloseTimeout(Duration.ofSeconds(5)));
        runtime = new TdlibTelegramRuntime(manager, Duration.ofSeconds(5), Duration.ofSeconds(5));
        return runtime.start("acc", Path.of("/tmp/unused/acc/td"), KEY, listener);
    }

    private List<String> sentTypes() {
        return td.sent.stream().map(r -> r.path("@type").asText()).toList();
    }

    private JsonNode sent(String type) {
        return td.sent.stream()
                .filter(r -> r.path("@type").asText().equals(type))
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    @Test
    void loginSendsTheTdlibRequestsAndReportsEachStep() throws Exception {
        TelegramAccountState initial = start(TdlibTestSupport.CONFIG, (c, r) -> switch (r.path("@type")
                .asText()) {
            case "setAuthenticationPhoneNumber" -> List.of(ok(r), authState(TdlibAccount.WAIT_CODE));
            case "checkAuthenticationCode" ->
                r.path("code").asText().equals("24680")
                        ? List.of(
                                authState(TdlibAccount.WAIT_PASSWORD), ok(r)) // state before answer: both orders occur
                        : List.of(error(r, 400, "PHONE_CODE_INVALID"));
            case "checkAuthenticationPassword" ->
                List.of(ok(r), authState(TdlibAccount.READY), connection("connectionStateReady"));
            case "getMe" ->
                List.of(TdlibFakeTd.answer(
                        r, TdlibClientManager.request("user").put("id", 777).put("first_name", "Ann")));
            default -> List.of(ok(r));
        });
        assertThat(initial).isEqualTo(TelegramAccountState.WAITING_LOGIN);

        // Out of order: TDLib waits for the phone, so a code is not sent at all.
        LoginProgress early = runtime.submitLogin("acc", LoginStep.CODE, "24680");
        assertThat(early.state()).isEqualTo(LoginState.WAITING_PHONE);
        assertThat(sentTypes()).doesNotContain("checkAuthenticationCode");

        LoginProgress phone = runtime.submitLogin("acc", LoginStep.PHONE, "+4915112345678");
        assertThat(phone.state()).isEqualTo(LoginState.WAITING_CODE);
        assertThat(sent("setAuthenticationPhoneNumber").path("phone_number").asText())
                .isEqualTo("+4915112345678");

        LoginProgress wrong = runtime.submitLogin("acc", LoginStep.CODE, "11111");
        assertThat(wrong.state()).isEqualTo(LoginState.WAITING_CODE);
        assertThat(wrong.detail()).contains("PHONE_CODE_INVALID").doesNotContain("11111");

        LoginProgress code = runtime.submitLogin("acc", LoginStep.CODE, "24680");
        assertThat(code.state()).isEqualTo(LoginState.WAITING_PASSWORD);
        assertThat(sent("checkAuthenticationCode").path("code").asText()).isEqualTo("24680");

        LoginProgress password = runtime.submitLogin("acc", LoginStep.PASSWORD, "hunter2");
        assertThat(password.state()).isEqualTo(LoginState.AUTHORIZED);
        assertThat(sent("checkAuthenticationPassword").path("password").asText())
                .isEqualTo("hunter2");
        assertThat(password.detail()).doesNotContain("hunter2");

        eventually(() -> listener.saw(TelegramAccountState.ONLINE));
        eventually(() -> listener.me != null);
        assertThat(listener.me.userId()).isEqualTo(777);
        assertThat(listener.states)
                .noneMatch(s -> s.contains("hunter2") || s.contains("24680") || s.contains("12345678"));
    }

    @Test
    void loginOfAnAccountWithoutClientFailsAsNotRunning() throws Exception {
        start(TdlibTestSupport.CONFIG, (c, r) -> List.of(ok(r)));
        assertThatThrownBy(() -> runtime.submitLogin("other", LoginStep.PHONE, "+4915112345678"))
                .isInstanceOfSatisfying(
                        TelegramException.class,
                        e -> assertThat(e.kind()).isEqualTo(TelegramException.Kind.NOT_RUNNING));
    }

    @Test
    void aDeactivatedUserFailsTheLoginAndMarksTheAccount() throws Exception {
        start(
                TdlibTestSupport.CONFIG,
                (c, r) -> r.path("@type").asText().equals("setAuthenticationPhoneNumber")
                        ? List.of(error(r, 401, "USER_DEACTIVATED_BAN"))
                        : List.of(ok(r)));
        LoginProgress phone = runtime.submitLogin("acc", LoginStep.PHONE, "+4915112345678");
        assertThat(phone.state()).isEqualTo(LoginState.FAILED);
        assertThat(phone.detail()).contains("USER_DEACTIVATED");
        eventually(() -> listener.saw(TelegramAccountState.USER_DEACTIVATED));
    }

    @Test
    void floodWaitIsThrownAtOnceWithItsDelayAndTheStateRestoredAfterIt() throws Exception {
        java.util.concurrent.atomic.AtomicInteger sends = new java.util.concurrent.atomic.AtomicInteger();
        start(
                TdlibTestSupport.CONFIG,
                (c, r) -> r.path("@type").asText().equals("sendMessage")
                        ? (sends.incrementAndGet() == 1
                                ? List.of(error(r, 429, "Too Many Requests: retry after 1"))
                                : List.of(TdlibFakeTd.answer(
                                        r, TdlibClientManager.request("message").put("id", 4096))))
                        : List.of(ok(r)));
        // Within the configured maximum, still not waited out here: the caller (Temporal) retries after the delay.
        assertThatThrownBy(() -> runtime.sendMessage("acc", -100123, "hello"))
                .isInstanceOfSatisfying(TelegramException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TelegramException.Kind.FLOOD_WAIT);
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                });
        assertThat(sends.get()).isEqualTo(1);
        assertThat(listener.states).anyMatch(s -> s.startsWith("flood_wait:") && s.contains("1 s"));
        eventually(() -> listener.states.getLast().startsWith("waiting_login:"));
        JsonNode request = sent("sendMessage");
        assertThat(request.path("chat_id").asLong()).isEqualTo(-100123);
        assertThat(request.path("input_message_content")
                        .path("text")
                        .path("text")
                        .asText())
                .isEqualTo("hello");

        assertThat(runtime.sendMessage("acc", -100123, "hello")).isEqualTo(4096);
        assertThat(sends.get()).isEqualTo(2);
    }

    @Test
    void floodWaitOverTheMaximumIsThrownWithItsDelayWithoutWaiting() throws Exception {
        start(
                TdlibTestSupport.CONFIG.withMaxFloodWait(Duration.ofSeconds(10)),
                (c, r) -> r.path("@type").asText().equals("sendMessage")
                        ? List.of(error(r, 420, "FLOOD_WAIT_3600"))
                        : List.of(ok(r)));
        assertThatThrownBy(() -> runtime.sendMessage("acc", 1, "hi"))
                .isInstanceOfSatisfying(TelegramException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TelegramException.Kind.FLOOD_WAIT);
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3600));
                    assertThat(e.retryable()).isTrue();
                });
        assertThat(listener.saw(TelegramAccountState.FLOOD_WAIT)).isTrue();
    }

    @Test
    void authKeyDuplicatedOnSendIsAnAuthFailureNotARetry() throws Exception {
        start(
                TdlibTestSupport.CONFIG,
                (c, r) -> r.path("@type").asText().equals("sendMessage")
                        ? List.of(error(r, 401, "AUTH_KEY_DUPLICATED"))
                        : List.of(ok(r)));
        assertThatThrownBy(() -> runtime.sendMessage("acc", 1, "hi"))
                .isInstanceOfSatisfying(TelegramException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TelegramException.Kind.AUTH);
                    assertThat(e.state()).isEqualTo(TelegramAccountState.AUTH_KEY_DUPLICATED);
                    assertThat(e.retryable()).isFalse();
                });
        eventually(() -> listener.saw(TelegramAccountState.AUTH_KEY_DUPLICATED));
        assertThat(TelegramAccountState.AUTH_KEY_DUPLICATED.isTerminal()).isTrue();
    }

    @Test
    void sendingAsAnAccountWithoutClientIsNotRunning() throws Exception {
        start(TdlibTestSupport.CONFIG, (c, r) -> List.of(ok(r)));
        assertThatThrownBy(() -> runtime.sendMessage("nobody", 1, "hi"))
                .isInstanceOfSatisfying(
                        TelegramException.class,
                        e -> assertThat(e.kind()).isEqualTo(TelegramException.Kind.NOT_RUNNING));
    }

    @Test
    void theDatabaseKeyGoesIntoSetTdlibParametersAndNoKeyNoClient() throws Exception {
        start(TdlibTestSupport.CONFIG, (c, r) -> List.of(ok(r)));
        assertThat(sent("setTdlibParameters").path("database_encryption_key").asText())
                .isEqualTo(KEY);
        assertThatThrownBy(() -> runtime.start("other", Path.of("/tmp/unused/other/td"), null, new Recorder()))
                .isInstanceOfSatisfying(
                        TelegramException.class, e -> assertThat(e.kind()).isEqualTo(TelegramException.Kind.REJECTED));
        assertThat(td.count("setTdlibParameters")).isEqualTo(1);
    }

    @Test
    void startingAStartedAccountKeepsItsClientAndStopClosesIt() throws Exception {
        start(TdlibTestSupport.CONFIG, (c, r) -> List.of(ok(r)));
        assertThat(runtime.start("acc", Path.of("/tmp/unused/acc/td"), KEY, new Recorder()))
                .isEqualTo(TelegramAccountState.WAITING_LOGIN);
        assertThat(td.count("setTdlibParameters")).isEqualTo(1);
        runtime.stop("acc");
        eventually(() -> listener.saw(TelegramAccountState.STOPPED));
        runtime.stop("acc"); // no-op
        assertThat(td.count("close")).isEqualTo(1);
    }

    @Test
    void everyStatusMapsToAStateWithTheTerminalOnesKept() {
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.STARTING)).isEqualTo(TelegramAccountState.STARTING);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.WAITING_FOR_PHONE_NUMBER))
                .isEqualTo(TelegramAccountState.WAITING_LOGIN);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.WAITING_FOR_CODE))
                .isEqualTo(TelegramAccountState.WAITING_LOGIN);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.WAITING_FOR_PASSWORD))
                .isEqualTo(TelegramAccountState.WAITING_LOGIN);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.WAITING_FOR_OTHER))
                .isEqualTo(TelegramAccountState.WAITING_LOGIN);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.CONNECTING)).isEqualTo(TelegramAccountState.OFFLINE);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.READY)).isEqualTo(TelegramAccountState.ONLINE);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.CLOSED)).isEqualTo(TelegramAccountState.STOPPED);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.AUTH_KEY_DUPLICATED))
                .isEqualTo(TelegramAccountState.AUTH_KEY_DUPLICATED);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.SESSION_REVOKED))
                .isEqualTo(TelegramAccountState.SESSION_REVOKED);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.LOGGED_OUT))
                .isEqualTo(TelegramAccountState.SESSION_REVOKED);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.USER_DEACTIVATED))
                .isEqualTo(TelegramAccountState.USER_DEACTIVATED);
        assertThat(TdlibTelegramRuntime.state(TdlibAccountStatus.FAILED)).isEqualTo(TelegramAccountState.ERROR);
        for (TdlibAccountStatus s : TdlibAccountStatus.values()) {
            // Whatever needs an operator on TDLib's side is terminal on the runtime's, except a refused start.
            if (s.needsOperator() && s != TdlibAccountStatus.FAILED) {
                assertThat(TdlibTelegramRuntime.state(s).isTerminal())
                        .as(s.name())
                        .isTrue();
            }
            assertThat(TdlibTelegramRuntime.detail("acc-9", s)).as(s.name()).isNotBlank();
        }
        assertThat(TdlibTelegramRuntime.detail("acc-9", TdlibAccountStatus.WAITING_FOR_PHONE_NUMBER))
                .contains("/api/v1/group-ai/accounts/acc-9/login");
    }
}
