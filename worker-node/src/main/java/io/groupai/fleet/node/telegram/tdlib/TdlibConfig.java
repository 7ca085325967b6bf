package io.groupai.fleet.node.telegram.tdlib;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings shared by every TDLib client of a node. {@code apiHash} is a credential: {@link #toString()}
 * masks it and nothing in this package logs it.
 *
 * @param apiId              Telegram application id (env {@value #API_ID_ENV})
 * @param apiHash            Telegram application hash (env {@value #API_HASH_ENV})
 * @param useTestDc          Telegram's test environment instead of production
 * @param logVerbosity       TDLib's own log level, set before any client exists (0 fatal only, 1 errors)
 * @param maxFloodWait       longest FLOOD_WAIT a login step waits out (without holding a thread); longer ones fail
 *                           it at once. Sends never wait: their FLOOD_WAIT goes back to the caller
 * @param closeTimeout       how long a clean close waits for authorizationStateClosed
 * @param systemLanguageCode reported to Telegram
 * @param deviceModel        reported to Telegram
 * @param applicationVersion reported to Telegram
 */
public record TdlibConfig(
        int apiId,
        String apiHash,
        boolean useTestDc,
        int logVerbosity,
        Duration maxFloodWait,
        Duration closeTimeout,
        String systemLanguageCode,
        String deviceModel,
        String applicationVersion) {

    public static final String API_ID_ENV = "TELEGRAM_API_ID";
    public static final String API_HASH_ENV = "TELEGRAM_API_HASH";
    public static final String MAX_FLOOD_WAIT_ENV = "TDLIB_MAX_FLOOD_WAIT_SECONDS";
    public static final Duration DEFAULT_MAX_FLOOD_WAIT = Duration.ofSeconds(300);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    public TdlibConfig {
        Objects.requireNonNull(apiHash, "apiHash");
        Objects.requireNonNull(maxFloodWait, "maxFloodWait");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (apiId <= 0 || apiHash.isBlank()) {
            throw new IllegalArgumentException(
                    "a Telegram api_id (> 0) and api_hash are required; set " + API_ID_ENV + " and " + API_HASH_ENV);
        }
        if (logVerbosity < 0 || logVerbosity > 1024) {
            throw new IllegalArgumentException("logVerbosity out of range: " + logVerbosity);
        }
    }

    /** Production defaults around the given credentials. */
    public static TdlibConfig of(int apiId, String apiHash) {
        return new TdlibConfig(
                apiId,
                apiHash,
                false,
                1,
                DEFAULT_MAX_FLOOD_WAIT,
                DEFAULT_CLOSE_TIMEOUT,
                "en",
                "Group AI Fleet node",
                "0.1.0");
    }

    /** From {@value #API_ID_ENV}, {@value #API_HASH_ENV} and optionally {@value #MAX_FLOOD_WAIT_ENV}. */
    public static TdlibConfig fromEnv() {
        return fromEnv(System.getenv());
    }

    /** The same from a given environment (tests, or a merged config). */
    public static TdlibConfig fromEnv(Map<String, String> env) {
        String id = env.get(API_ID_ENV);
        String hash = env.get(API_HASH_ENV);
        if (id == null || id.isBlank() || hash == null || hash.isBlank()) {
            throw new IllegalStateException(API_ID_ENV + " and " + API_HASH_ENV
                    + " must be set (from https://my.telegram.org) to run accounts on TDLib");
        }
        int apiId;
        try {
            apiId = Integer.parseInt(id.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(API_ID_ENV + " must be a number", e);
        }
        TdlibConfig config = of(apiId, hash.trim());
        String flood = env.get(MAX_FLOOD_WAIT_ENV);
        return flood == null || flood.isBlank()
                ? config
                : config.withMaxFloodWait(Duration.ofSeconds(Long.parseLong(flood.trim())));
    }

    public TdlibConfig withMaxFloodWait(Duration value) {
        return new TdlibConfig(
                apiId,
                apiHash,
                useTestDc,
                logVerbosity,
                value,
                closeTimeout,
                systemLanguageCode,
                deviceModel,
                applicationVersion);
    }

    public TdlibConfig withCloseTimeout(Duration value) {
        return new TdlibConfig(
                apiId,
                apiHash,
                useTestDc,
                logVerbosity,
                maxFloodWait,
                value,
                systemLanguageCode,
                deviceModel,
                applicationVersion);
    }

    public TdlibConfig withLogVerbosity(int value) {
        return new TdlibConfig(
                apiId,
                apiHash,
                useTestDc,
                value,
                maxFloodWait,
                closeTimeout,
                systemLanguageCode,
                deviceModel,
                applicationVersion);
    }

    @Override
    public String toString() {
        return "TdlibConfig[apiId=" + apiId + ", apiHash=***, useTestDc=" + useTestDc + ", logVerbosity=" + logVerbosity
                + ", maxFloodWait=" + maxFloodWait + ", closeTimeout=" + closeTimeout + "]";
    }
}
