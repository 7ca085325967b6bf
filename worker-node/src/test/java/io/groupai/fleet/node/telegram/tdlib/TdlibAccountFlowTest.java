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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the real library cannot show offline (a full login, FLOOD_WAIT, revoked sessions, reconnects),
 * against a scripted libtdjson stand-in. The real-library behaviour is in {@link TdlibRealClientTest}.
 */
class TdlibAccountFlowTest {

    private final TdlibFakeTd td = new TdlibFakeTd();
    private TdlibClientManager manager;

    private TdlibAccount start(TdlibConfig config, TdlibAccountListener listener) {
        manager = new TdlibClientManager(td, config.withCloseTimeout(Duration.ofSeconds(5)));
        TdlibAccount account = manager.createAccount(TdlibAccountSpec.of("acc", Path.of("/tmp/unused/td")), listener);
        td.emit(account.clientId(), authState(TdlibAccount.WAIT_TDLIB_PARAMETERS));
        return account;
    }

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    /** Answers the protocol basics; {@code more} handles everything else. */
    private void script(java.util.function.BiFunction<Integer, ObjectNode, List<ObjectNode>> more) {
        td.handler = (clientId, request) -> switch (request.path("@type").asText()) {
            case "setTdlibParameters" -> List.of(ok(request), authState(TdlibAccount.WAIT_PHONE_NUMBER));
            case "close" -> List.of(ok(request), authState(TdlibAccount.CLOSING), authState(TdlibAccount.CLOSED));
            case "getOption" ->
                List.of(TdlibFakeTd.answer(
                        request, TdlibClientManager.request("optionValueString").put("value", "1.8.67")));
            default -> more.apply(clientId, request);
        };
    }

    @Test
    void parametersAreAnsweredWithTheSessionDirectoryAndConfiguredCredentials() throws Exception {
        script((c, r) -> List.of(ok(r)));
        TdlibAccount account = start(TdlibTestSupport.CONFIG, null);
        account.awaitAuthorizationState(TdlibAccount.WAIT_PHONE_NUMBER).get(5, TimeUnit.SECONDS);
        JsonNode parameters = td.sent.stream()
                .filter(r -> r.path("@type").asText().equals("setTdlibParameters"))
                .findFirst()
                .orElseThrow();
        assertThat(parameters.path("database_directory").asText()).isEqualTo("/tmp/unused/td");
        assertThat(parameters.path("files_directory").asText()).isEqualTo("/tmp/unused/files");
        assertThat(parameters.path("use_test_dc").asBoolean()).isFalse();
        assertThat(parameters.path("use_message_database").asBoolean()).isTrue();
        assertThat(parameters.path("api_id").asInt()).isEqualTo(94575);
        assertThat(account.status()).isEqualTo(TdlibAccountStatus.WAITING_FOR_PHONE_NUMBER);
    }

    @Test
    void loginDrivenByCallbacksWithAWrongCodeAskedAgain() throws Exception {
        AtomicInteger codeAttempts = new AtomicInteger();
        script((clientId, request) -> switch (request.path("@type").asText()) {
            case "setAuthenticationPhoneNumber" -> List.of(ok(request), authState(TdlibAccount.WAIT_CODE));
            case "checkAuthenticationCode" ->
                request.path("code").asText().equals("12345")
                        ? List.of(ok(request), authState(TdlibAccount.WAIT_PASSWORD))
                        : List.of(error(request, 400, "PHONE_CODE_INVALID"));
            case "checkAuthenticationPassword" ->
                List.of(
                        ok(request),
                        authState(TdlibAccount.READY),
                        connection("connectionStateConnecting"),
                        connection("connectionStateReady"));
            default -> List.of(ok(request));
        });
        List<String> failures = new CopyOnWriteArrayList<>();
        List<TdlibAccountStatus> statuses = new CopyOnWriteArrayList<>();
        TdlibLogin.Callbacks operator = new TdlibLogin.Callbacks() {
            @Override
            public CompletionStage<String> phoneNumber(TdlibAccount account) {
                return CompletableFuture.completedFuture("+4915112345678");
            }

            @Override
            public CompletionStage<String> code(TdlibAccount account, JsonNode codeInfo) {
                // The operator mistypes once.
                return CompletableFuture.supplyAsync(() -> codeAttempts.incrementAndGet() == 1 ? "11111" : "12345");
            }

            @Override
            public CompletionStage<String> password(TdlibAccount account, String hint) {
                return CompletableFuture.completedFuture("correct horse");
            }

            @Override
            public void failed(TdlibAccount account, String step, TdlibException error, boolean willRetry) {
                failures.add(step + ":" + error.tdMessage() + ":" + willRetry);
            }
        };
        TdlibAccount account = start(TdlibTestSupport.CONFIG, TdlibLogin.driving(operator, new TdlibAccountListener() {
            @Override
            public void onStatus(TdlibAccount a, TdlibAccountStatus status) {
                statuses.add(status);
            }
        }));

        account.awaitAuthorizationState(TdlibAccount.READY).get(5, TimeUnit.SECONDS);
        eventually(() -> account.status() == TdlibAccountStatus.READY);
        assertThat(codeAttempts).hasValue(2);
        assertThat(failures).containsExactly("code:PHONE_CODE_INVALID:true");
        assertThat(statuses)
                .containsSubsequence(
                        TdlibAccountStatus.WAITING_FOR_PHONE_NUMBER,
                        TdlibAccountStatus.WAITING_FOR_CODE,
                        TdlibAccountStatus.WAITING_FOR_PASSWORD,
                        TdlibAccountStatus.CONNECTING,
                        TdlibAccountStatus.READY);

        // Network loss: TDLib reconnects by itself; the account surfaces it and comes back.
        td.emit(account.clientId(), connection("connectionStateWaitingForNetwork"));
        eventually(() -> account.status() == TdlibAccountStatus.CONNECTING);
        assertThat(account.connectionState()).isEqualTo(TdlibConnectionState.WAITING_FOR_NETWORK);
        td.emit(account.clientId(), connection("connectionStateReady"));
        eventually(() -> account.status() == TdlibAccountStatus.READY);
    }

    @Test
    void floodWaitIsWaitedOutAndRetriedOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        script((c, r) -> calls.incrementAndGet() == 1
                ? List.of(error(r, 429, "Too Many Requests: retry after 1"))
                : List.of(ok(r)));
        TdlibAccount account = start(TdlibTestSupport.CONFIG.withMaxFloodWait(Duration.ofSeconds(2)), null);
        long started = System.nanoTime();
        JsonNode answer = account.send(TdlibClientManager.request("joinChat").put("chat_id", 1))
                .get(10, TimeUnit.SECONDS);
        assertThat(answer.path("@type").asText()).isEqualTo("ok");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(td.count("joinChat")).isEqualTo(2);
    }

    @Test
    void floodWaitOverTheMaximumOrTwiceFailsWithoutWaiting() throws Exception {
        script((c, r) -> r.path("chat_id").asInt() == 1
                ? List.of(error(r, 429, "Too Many Requests: retry after 3600"))
                : List.of(error(r, 420, "FLOOD_WAIT_1")));
        TdlibAccount account = start(TdlibTestSupport.CONFIG.withMaxFloodWait(Duration.ofSeconds(2)), null);

        long started = System.nanoTime();
        assertThatThrownBy(() -> account.send(
                                TdlibClientManager.request("joinChat").put("chat_id", 1))
                        .get(5, TimeUnit.SECONDS))
                .rootCause()
                .isInstanceOfSatisfying(
                        TdlibException.class, e -> assertThat(e.floodWait()).contains(Duration.ofSeconds(3600)));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(td.count("joinChat")).isEqualTo(1);

        // Retried once only: the second FLOOD_WAIT is the caller's to handle.
        assertThatThrownBy(() -> account.send(
                                TdlibClientManager.request("joinChat").put("chat_id", 2))
                        .get(10, TimeUnit.SECONDS))
                .rootCause()
                .isInstanceOf(TdlibException.class);
        assertThat(td.count("joinChat")).isEqualTo(3);
    }

    @Test
    void authKeyDuplicatedMarksTheAccountWithoutRetriesAndSurvivesTheClose() throws Exception {
        script((clientId, request) -> List.of(
                error(request, 406, "AUTH_KEY_DUPLICATED"),
                authState(TdlibAccount.CLOSING),
                authState(TdlibAccount.CLOSED)));
        List<TdlibAccountStatus> statuses = new CopyOnWriteArrayList<>();
        TdlibAccount account = start(TdlibTestSupport.CONFIG, new TdlibAccountListener() {
            @Override
            public void onStatus(TdlibAccount a, TdlibAccountStatus status) {
                statuses.add(status);
            }
        });
        account.awaitAuthorizationState(TdlibAccount.WAIT_PHONE_NUMBER).get(5, TimeUnit.SECONDS);

        assertThatThrownBy(
                        () -> account.send(TdlibClientManager.request("getMe")).get(5, TimeUnit.SECONDS))
                .rootCause()
                .isInstanceOfSatisfying(
                        TdlibException.class,
                        e -> assertThat(e.accountStatus()).contains(TdlibAccountStatus.AUTH_KEY_DUPLICATED));
        account.closedFuture().get(5, TimeUnit.SECONDS);
        eventually(() -> statuses.contains(TdlibAccountStatus.AUTH_KEY_DUPLICATED));
        assertThat(account.status()).isEqualTo(TdlibAccountStatus.AUTH_KEY_DUPLICATED);
        assertThat(statuses).doesNotContain(TdlibAccountStatus.CLOSED);
        assertThat(td.count("getMe")).isEqualTo(1);
    }

    @Test
    void sessionEndedByTelegramWithoutAnErrorIsLoggedOut() throws Exception {
        script((c, r) -> List.of(ok(r)));
        TdlibAccount account = start(TdlibTestSupport.CONFIG, null);
        account.awaitAuthorizationState(TdlibAccount.WAIT_PHONE_NUMBER).get(5, TimeUnit.SECONDS);
        td.emit(account.clientId(), authState(TdlibAccount.LOGGING_OUT));
        td.emit(account.clientId(), authState(TdlibAccount.CLOSED));
        account.closedFuture().get(5, TimeUnit.SECONDS);
        eventually(() -> account.status() == TdlibAccountStatus.LOGGED_OUT);
        assertThat(manager.account("acc")).isEmpty();
    }

    @Test
    void closeTimesOutWhenTdlibNeverConfirms() {
        // Every request, close included, is only acknowledged: authorizationStateClosed never comes.
        td.handler = (c, r) -> List.of(ok(r));
        manager = new TdlibClientManager(td, TdlibTestSupport.CONFIG.withCloseTimeout(Duration.ofMillis(300)));
        TdlibAccount account = manager.createAccount(TdlibAccountSpec.of("slow", Path.of("/tmp/unused/td")), null);
        assertThat(account.close()).isFalse();
    }

    @Test
    void onlyOneManagerPerProcess() {
        script((c, r) -> List.of(ok(r)));
        manager = new TdlibClientManager(td, TdlibTestSupport.CONFIG);
        assertThatThrownBy(() -> new TdlibClientManager(new TdlibFakeTd(), TdlibTestSupport.CONFIG))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already open");
    }
}
