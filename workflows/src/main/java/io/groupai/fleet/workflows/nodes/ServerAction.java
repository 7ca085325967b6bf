package io.groupai.fleet.workflows.nodes;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What the server-operation workflow does to a node's worker process. */
public enum ServerAction {
    START,
    STOP,
    RESTART,
    STATUS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ServerAction parse(String value) {
        for (ServerAction action : values()) {
            if (action.wireName().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return action;
            }
        }
        throw new IllegalArgumentException("unknown action '" + value + "'; use one of "
                + Arrays.stream(values()).map(ServerAction::wireName).collect(Collectors.joining(", ")));
    }
}
