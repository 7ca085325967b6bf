package io.groupai.fleet.node.telegram.tdlib;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/** A TDLib "error" object answering a request: its code and message, and what they mean for the account. */
public class TdlibException extends RuntimeException {

    private final int code;
    private final String tdMessage;
    private final String requestType;

    public TdlibException(String requestType, int code, String tdMessage) {
        super(requestType + " failed: " + code + " " + tdMessage);
        this.requestType = requestType;
        this.code = code;
        this.tdMessage = tdMessage;
    }

    public static TdlibException of(String requestType, JsonNode error) {
        return new TdlibException(
                requestType, error.path("code").asInt(0), error.path("message").asText(""));
    }

    public int code() {
        return code;
    }

    public String tdMessage() {
        return tdMessage;
    }

    public String requestType() {
        return requestType;
    }

    /** The wait Telegram asks for, for FLOOD_WAIT_X and "Too Many Requests: retry after X". */
    public Optional<Duration> floodWait() {
        return TdlibErrors.floodWait(code, tdMessage);
    }

    /** The account status this error forces (AUTH_KEY_DUPLICATED, SESSION_REVOKED, USER_DEACTIVATED). */
    public Optional<TdlibAccountStatus> accountStatus() {
        return TdlibErrors.accountStatus(tdMessage);
    }
}
