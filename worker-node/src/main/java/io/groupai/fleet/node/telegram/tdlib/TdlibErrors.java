package io.groupai.fleet.node.telegram.tdlib;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads meaning out of TDLib error messages, which carry Telegram's RPC error names. */
public final class TdlibErrors {

    // TDLib turns Telegram's FLOOD_WAIT_X into 429 "Too Many Requests: retry after X"; some paths pass the
    // raw name through (also FLOOD_PREMIUM_WAIT_X), so both spellings are recognised.
    private static final Pattern FLOOD = Pattern.compile("(?:FLOOD_(?:PREMIUM_)?WAIT_|retry after )(\\d+)");

    private TdlibErrors() {}

    public static Optional<Duration> floodWait(int code, String message) {
        if (message == null) {
            return Optional.empty();
        }
        Matcher m = FLOOD.matcher(message);
        if (m.find()) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(m.group(1))));
        }
        return Optional.empty();
    }

    public static Optional<TdlibAccountStatus> accountStatus(String message) {
        if (message == null) {
            return Optional.empty();
        }
        if (message.contains("AUTH_KEY_DUPLICATED")) {
            return Optional.of(TdlibAccountStatus.AUTH_KEY_DUPLICATED);
        }
        if (message.contains("SESSION_REVOKED") || message.contains("AUTH_KEY_UNREGISTERED")) {
            return Optional.of(TdlibAccountStatus.SESSION_REVOKED);
        }
        if (message.contains("USER_DEACTIVATED")) { // also USER_DEACTIVATED_BAN
            return Optional.of(TdlibAccountStatus.USER_DEACTIVATED);
        }
        return Optional.empty();
    }
}
