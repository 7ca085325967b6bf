package io.groupai.fleet.node.telegram.tdlib;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the interactive login (phone → code → 2FA password) from callbacks: when TDLib asks for a step,
 * the matching callback is asked for the value (e.g. the control plane forwards what the operator typed
 * on the admin page) and it is submitted. A rejected value (wrong code) asks the same callback again, up to
 * {@link #MAX_ATTEMPTS} times per step; errors that end the session stop the flow.
 */
public final class TdlibLogin implements TdlibAccountListener {

    private static final Logger log = LoggerFactory.getLogger(TdlibLogin.class);
    public static final int MAX_ATTEMPTS = 3;

    /** Where the login values come from. Callbacks may complete later (an operator typing). */
    public interface Callbacks {
        CompletionStage<String> phoneNumber(TdlibAccount account);

        /** {@code codeInfo} is TDLib's authenticationCodeInfo (where the code was sent, its length). */
        CompletionStage<String> code(TdlibAccount account, JsonNode codeInfo);

        CompletionStage<String> password(TdlibAccount account, String hint);

        /** A submitted value was rejected or the flow stopped; {@code willRetry} says whether it asks again. */
        default void failed(TdlibAccount account, String step, TdlibException error, boolean willRetry) {}
    }

    private final Callbacks callbacks;
    private final TdlibAccountListener next;

    private TdlibLogin(Callbacks callbacks, TdlibAccountListener next) {
        this.callbacks = callbacks;
        this.next = next == null ? TdlibAccountListener.NONE : next;
    }

    /** A listener that drives the login and passes every event on to {@code next}. */
    public static TdlibAccountListener driving(Callbacks callbacks, TdlibAccountListener next) {
        return new TdlibLogin(callbacks, next);
    }

    @Override
    public void onUpdate(TdlibAccount account, JsonNode update) {
        next.onUpdate(account, update);
    }

    @Override
    public void onStatus(TdlibAccount account, TdlibAccountStatus status) {
        next.onStatus(account, status);
    }

    @Override
    public void onAuthorizationState(TdlibAccount account, JsonNode state) {
        switch (state.path("@type").asText()) {
            case TdlibAccount.WAIT_PHONE_NUMBER -> askPhone(account, 1);
            case TdlibAccount.WAIT_CODE -> askCode(account, state.path("code_info"), 1);
            case TdlibAccount.WAIT_PASSWORD ->
                askPassword(account, state.path("password_hint").asText(""), 1);
            default -> {}
        }
        next.onAuthorizationState(account, state);
    }

    private void askPhone(TdlibAccount account, int attempt) {
        callbacks
                .phoneNumber(account)
                .thenCompose(account::submitPhoneNumber)
                .whenComplete((ok, e) ->
                        retryOrStop(account, "phone number", e, attempt, () -> askPhone(account, attempt + 1)));
    }

    private void askCode(TdlibAccount account, JsonNode codeInfo, int attempt) {
        callbacks
                .code(account, codeInfo)
                .thenCompose(account::submitCode)
                .whenComplete((ok, e) ->
                        retryOrStop(account, "code", e, attempt, () -> askCode(account, codeInfo, attempt + 1)));
    }

    private void askPassword(TdlibAccount account, String hint, int attempt) {
        callbacks
                .password(account, hint)
                .thenCompose(account::submitPassword)
                .whenComplete((ok, e) ->
                        retryOrStop(account, "password", e, attempt, () -> askPassword(account, hint, attempt + 1)));
    }

    private void retryOrStop(TdlibAccount account, String step, Throwable e, int attempt, Runnable again) {
        if (e == null) {
            return;
        }
        Throwable cause = TdlibAccount.rootCause(e);
        if (!(cause instanceof TdlibException te)) {
            log.warn("account {}: login {} callback failed: {}", account.accountId(), step, cause.toString());
            return;
        }
        // Only a rejected value is worth asking again; a dead session or a long flood wait is not.
        boolean retry = attempt < MAX_ATTEMPTS
                && te.code() == 400
                && te.accountStatus().isEmpty()
                && !account.status().needsOperator();
        log.info(
                "account {}: login {} rejected ({}){}",
                account.accountId(),
                step,
                te.tdMessage(),
                retry ? ", asking again" : "");
        callbacks.failed(account, step, te, retry);
        if (retry) {
            again.run();
        }
    }
}
