package io.groupai.fleet.node.telegram.tdlib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the real libtdjson.so, offline: TDLib reaches authorizationStateWaitPhoneNumber without a network. */
class TdlibRealClientTest {

    private static TdlibClientManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        manager = new TdlibClientManager(TdlibTestSupport.realLibrary(), TdlibTestSupport.CONFIG);
    }

    @AfterAll
    static void shut() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void synchronousRequestsRunThroughTdExecute() {
        JsonNode entities = manager.execute(
                TdlibClientManager.request("getTextEntities").put("text", "see https://example.org and @durov"));
        assertThat(entities.path("@type").asText()).isEqualTo("textEntities");
        assertThat(entities.path("entities")).hasSize(2);

        assertThat(manager.execute(TdlibClientManager.request("setLogVerbosityLevel")
                                .put("new_verbosity_level", 1))
                        .path("@type")
                        .asText())
                .isEqualTo("ok");
        assertThat(manager.execute(TdlibClientManager.request("getLogVerbosityLevel"))
                        .path("verbosity_level")
                        .asInt())
                .isEqualTo(1);

        assertThatThrownBy(() -> manager.execute(TdlibClientManager.request("noSuchRequest")))
                .isInstanceOf(TdlibException.class);
    }

    @Test
    void clientReachesWaitPhoneNumberOfflineAndClosesCleanly() throws Exception {
        List<String> states = new CopyOnWriteArrayList<>();
        TdlibAccount account = manager.createAccount(
                TdlibAccountSpec.of("acc-1", dir.resolve("acc-1/td")), new TdlibAccountListener() {
                    @Override
                    public void onAuthorizationState(TdlibAccount a, JsonNode state) {
                        states.add(state.path("@type").asText());
                    }
                });

        assertThat(account.awaitAuthorizationState(TdlibAccount.WAIT_PHONE_NUMBER)
                        .get(60, TimeUnit.SECONDS))
                .isEqualTo(TdlibAccount.WAIT_PHONE_NUMBER);
        assertThat(states).startsWith(TdlibAccount.WAIT_TDLIB_PARAMETERS);
        assertThat(account.status()).isEqualTo(TdlibAccountStatus.WAITING_FOR_PHONE_NUMBER);
        assertThat(manager.account("acc-1")).containsSame(account);
        // The session is a TDLib database directory: TDLib created it where we asked.
        assertThat(Files.exists(dir.resolve("acc-1/td/td.binlog"))).isTrue();

        assertThat(account.close()).isTrue();
        assertThat(account.authorizationState()).isEqualTo(TdlibAccount.CLOSED);
        assertThat(account.status()).isEqualTo(TdlibAccountStatus.CLOSED);
        assertThat(states).endsWith(TdlibAccount.CLOSED);
        assertThat(manager.account("acc-1")).isEmpty();
        assertThatThrownBy(
                        () -> account.send(TdlibClientManager.request("getMe")).join())
                .hasRootCauseInstanceOf(TdlibException.class);
    }

    @Test
    void twoClientsGetTheirOwnUpdates() throws Exception {
        List<JsonNode> updatesA = new CopyOnWriteArrayList<>();
        List<JsonNode> updatesB = new CopyOnWriteArrayList<>();
        TdlibAccount a = manager.createAccount(TdlibAccountSpec.of("a", dir.resolve("a/td")), recorder(updatesA));
        TdlibAccount b = manager.createAccount(TdlibAccountSpec.of("b", dir.resolve("b/td")), recorder(updatesB));
        assertThat(a.clientId()).isNotEqualTo(b.clientId());

        a.awaitAuthorizationState(TdlibAccount.WAIT_PHONE_NUMBER).get(60, TimeUnit.SECONDS);
        b.awaitAuthorizationState(TdlibAccount.WAIT_PHONE_NUMBER).get(60, TimeUnit.SECONDS);

        assertThat(clientIds(updatesA)).containsExactly(a.clientId());
        assertThat(clientIds(updatesB)).containsExactly(b.clientId());
        assertThat(types(updatesA)).contains("updateAuthorizationState", "updateOption");
        assertThat(types(updatesB)).contains("updateAuthorizationState", "updateOption");

        // Requests are answered to the client that asked (matched by @extra), also when interleaved.
        JsonNode optionA = a.send(TdlibClientManager.request("getOption").put("name", "version"))
                .get(30, TimeUnit.SECONDS);
        JsonNode optionB = b.send(TdlibClientManager.request("getOption").put("name", "version"))
                .get(30, TimeUnit.SECONDS);
        assertThat(optionA.path("@client_id").asInt()).isEqualTo(a.clientId());
        assertThat(optionB.path("@client_id").asInt()).isEqualTo(b.clientId());
        assertThat(optionA.path("value").asText()).startsWith("1.8.");

        assertThat(a.close()).isTrue();
        // Closing one client leaves the other running.
        assertThat(b.authorizationState()).isEqualTo(TdlibAccount.WAIT_PHONE_NUMBER);
        assertThat(b.close()).isTrue();
    }

    @Test
    void aSessionDirectoryIsReopenedAfterClose() throws Exception {
        Path db = dir.resolve("again/td");
        TdlibAccount first = manager.createAccount(TdlibAccountSpec.of("again", db), null);
        first.awaitAuthorizationState(TdlibAccount.WAIT_PHONE_NUMBER).get(60, TimeUnit.SECONDS);
        assertThat(first.close()).isTrue();

        TdlibAccount second = manager.createAccount(TdlibAccountSpec.of("again", db), null);
        assertThat(second.clientId()).isNotEqualTo(first.clientId());
        second.awaitAuthorizationState(TdlibAccount.WAIT_PHONE_NUMBER).get(60, TimeUnit.SECONDS);
        assertThat(second.close()).isTrue();
    }

    private static TdlibAccountListener recorder(List<JsonNode> into) {
        return new TdlibAccountListener() {
            @Override
            public void onUpdate(TdlibAccount account, JsonNode update) {
                into.add(update);
            }
        };
    }

    private static Set<Integer> clientIds(List<JsonNode> updates) {
        return updates.stream().map(u -> u.path("@client_id").asInt()).collect(Collectors.toSet());
    }

    private static Set<String> types(List<JsonNode> updates) {
        return updates.stream().map(u -> u.path("@type").asText()).collect(Collectors.toSet());
    }
}
