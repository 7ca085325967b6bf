package io.groupai.fleet.node.telegram.tdlib;

/** TDLib's updateConnectionState, as an enum. */
public enum TdlibConnectionState {
    UNKNOWN,
    WAITING_FOR_NETWORK,
    CONNECTING_TO_PROXY,
    CONNECTING,
    UPDATING,
    READY;

    static TdlibConnectionState fromTdType(String type) {
        return switch (type) {
            case "connectionStateWaitingForNetwork" -> WAITING_FOR_NETWORK;
            case "connectionStateConnectingToProxy" -> CONNECTING_TO_PROXY;
            case "connectionStateConnecting" -> CONNECTING;
            case "connectionStateUpdating" -> UPDATING;
            case "connectionStateReady" -> READY;
            default -> UNKNOWN;
        };
    }
}
