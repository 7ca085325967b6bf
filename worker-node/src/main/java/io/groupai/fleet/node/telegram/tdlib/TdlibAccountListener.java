package io.groupai.fleet.node.telegram.tdlib;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Events of one account, delivered in TDLib's order on a per-account sequence (never on the receive
 * thread, so a slow listener delays only its own account). Listeners may block on requests.
 */
public interface TdlibAccountListener {

    /** Every update of this client, including the two below. */
    default void onUpdate(TdlibAccount account, JsonNode update) {}

    /** A new authorization state object, e.g. {"@type":"authorizationStateWaitPhoneNumber"}. */
    default void onAuthorizationState(TdlibAccount account, JsonNode state) {}

    /** The derived status changed (authorization, connection, or a fatal error). */
    default void onStatus(TdlibAccount account, TdlibAccountStatus status) {}

    TdlibAccountListener NONE = new TdlibAccountListener() {};
}
