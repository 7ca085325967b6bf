package io.groupai.fleet.node.telegram.tdlib;

import com.sun.jna.Library;

/**
 * TDLib's JSON interface (td_json_client.h), client-id flavour. All strings are UTF-8 JSON objects.
 * {@code td_receive} serves every client of the process and must only ever be called from one thread;
 * {@link TdlibClientManager} owns that thread.
 */
public interface TdJson extends Library {

    /** A new TDLib instance; it stays idle until the first request is sent to it. */
    int td_create_client_id();

    void td_send(int clientId, String request);

    /** The next response or update of any client (tagged with "@client_id"), or null after {@code timeout} seconds. */
    String td_receive(double timeout);

    /** Runs one of the few requests TDLib can answer synchronously (e.g. setLogVerbosityLevel, getTextEntities). */
    String td_execute(String request);
}
