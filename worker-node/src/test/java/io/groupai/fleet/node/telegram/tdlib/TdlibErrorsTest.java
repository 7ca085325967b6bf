package io.groupai.fleet.node.telegram.tdlib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Error mapping from TDLib "error" objects as TDLib sends them. */
class TdlibErrorsTest {

    private static TdlibException parse(String json) {
        return TdlibException.of("someRequest", TdlibClientManager.read(json));
    }

    @Test
    void floodWaitInBothSpellings() {
        assertThat(parse("{\"@type\":\"error\",\"code\":429,\"message\":\"Too Many Requests: retry after 17\"}")
                        .floodWait())
                .contains(Duration.ofSeconds(17));
        assertThat(parse("{\"@type\":\"error\",\"code\":420,\"message\":\"FLOOD_WAIT_86400\"}")
                        .floodWait())
                .contains(Duration.ofSeconds(86400));
        assertThat(parse("{\"@type\":\"error\",\"code\":420,\"message\":\"FLOOD_PREMIUM_WAIT_5\"}")
                        .floodWait())
                .contains(Duration.ofSeconds(5));
        assertThat(parse("{\"@type\":\"error\",\"code\":400,\"message\":\"PHONE_CODE_INVALID\"}")
                        .floodWait())
                .isEmpty();
        assertThat(parse("{\"@type\":\"error\",\"code\":400}").floodWait()).isEmpty();
    }

    @Test
    void sessionEndingErrorsMapToAccountStatus() {
        assertThat(parse("{\"@type\":\"error\",\"code\":406,\"message\":\"AUTH_KEY_DUPLICATED\"}")
                        .accountStatus())
                .contains(TdlibAccountStatus.AUTH_KEY_DUPLICATED);
        assertThat(parse("{\"@type\":\"error\",\"code\":401,\"message\":\"SESSION_REVOKED\"}")
                        .accountStatus())
                .contains(TdlibAccountStatus.SESSION_REVOKED);
        assertThat(parse("{\"@type\":\"error\",\"code\":401,\"message\":\"AUTH_KEY_UNREGISTERED\"}")
                        .accountStatus())
                .contains(TdlibAccountStatus.SESSION_REVOKED);
        assertThat(parse("{\"@type\":\"error\",\"code\":401,\"message\":\"USER_DEACTIVATED_BAN\"}")
                        .accountStatus())
                .contains(TdlibAccountStatus.USER_DEACTIVATED);
        assertThat(parse("{\"@type\":\"error\",\"code\":429,\"message\":\"Too Many Requests: retry after 3\"}")
                        .accountStatus())
                .isEmpty();
        assertThat(TdlibAccountStatus.AUTH_KEY_DUPLICATED.needsOperator()).isTrue();
        assertThat(TdlibAccountStatus.CONNECTING.needsOperator()).isFalse();
    }

    @Test
    void exceptionCarriesCodeMessageAndRequest() {
        TdlibException e = parse("{\"@type\":\"error\",\"code\":400,\"message\":\"PHONE_NUMBER_INVALID\"}");
        assertThat(e.code()).isEqualTo(400);
        assertThat(e.tdMessage()).isEqualTo("PHONE_NUMBER_INVALID");
        assertThat(e.getMessage()).isEqualTo("someRequest failed: 400 PHONE_NUMBER_INVALID");
    }

    @Test
    void secretsStayOutOfStrings() {
        TdlibConfig config = TdlibConfig.of(94575, "a3406de8d171bb422bb6ddf3bbd800e2");
        assertThat(config.toString()).doesNotContain("a3406de8").contains("apiHash=***");
        assertThat(TdlibAccount.maskPhone("+4915112345678"))
                .isEqualTo("+49*********78")
                .doesNotContain("5112345");
        assertThat(TdlibAccount.maskPhone("123")).isEqualTo("***");
    }

    @Test
    void configFromEnvironment() {
        TdlibConfig config = TdlibConfig.fromEnv(Map.of(
                TdlibConfig.API_ID_ENV,
                "12345",
                TdlibConfig.API_HASH_ENV,
                "0123456789abcdef",
                TdlibConfig.MAX_FLOOD_WAIT_ENV,
                "60"));
        assertThat(config.apiId()).isEqualTo(12345);
        assertThat(config.maxFloodWait()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.useTestDc()).isFalse();
        assertThatThrownBy(() -> TdlibConfig.fromEnv(Map.of(TdlibConfig.API_ID_ENV, "12345")))
                .hasMessageContaining(TdlibConfig.API_HASH_ENV);
        assertThatThrownBy(() ->
                        TdlibConfig.fromEnv(Map.of(TdlibConfig.API_ID_ENV, "x", TdlibConfig.API_HASH_ENV, "secret")))
                .hasMessageContaining("must be a number")
                .hasMessageNotContaining("secret");
    }
}
