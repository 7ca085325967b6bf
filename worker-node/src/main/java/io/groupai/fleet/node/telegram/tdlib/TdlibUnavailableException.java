package io.groupai.fleet.node.telegram.tdlib;

/** libtdjson.so could not be found or loaded; the message says where it was looked for and how to fix it. */
public class TdlibUnavailableException extends RuntimeException {
    public TdlibUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
