package io.groupai.fleet.router;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the pool picks an instance; the names are the config file's. */
public enum Strategy {
    /** In turn. */
    ROUNDROBIN("roundrobin"),
    /** Smooth weighted round robin (nginx's): interleaved, proportional to weight. */
    WEIGHTED("weighted"),
    /** API key → instance by weighted rendezvous hashing: a new instance takes over only its share of keys. */
    HASH("hash"),
    /** The instance with the lowest current/max concurrency. */
    LEAST_BUSY("least_busy");

    private final String configName;

    Strategy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static Strategy parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("-", "_");
        if (n.equals("round_robin")) {
            return ROUNDROBIN;
        }
        if (n.equals("leastbusy")) {
            return LEAST_BUSY;
        }
        for (Strategy s : values()) {
            if (s.configName.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("router.strategy must be one of "
                + Arrays.stream(values()).map(Strategy::configName).collect(Collectors.joining(", ")) + " (got "
                + name + ")");
    }
}
