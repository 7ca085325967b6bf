package io.groupai.fleet.node.telegram.tdlib;

import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/** Loads the real libtdjson.so for tests: a missing library FAILS the test unless skipping was asked for. */
final class TdlibTestSupport {

    static final String SKIP_PROPERTY = "groupai.tdlib.skip";

    // Placeholders: no test talks to Telegram, TDLib only needs syntactically valid values to start.
    static final TdlibConfig CONFIG = TdlibConfig.of(94575, "a3406de8d171bb422bb6ddf3bbd800e2");

    private TdlibTestSupport() {}

    /** Polls until the condition holds, for up to 5 s (status changes arrive asynchronously). */
    static void eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            LockSupport.parkNanos(10_000_000L);
        }
    }

    static TdJson realLibrary() {
        Assumptions.assumeFalse(
                Boolean.getBoolean(SKIP_PROPERTY), "TDLib tests skipped on request (-D" + SKIP_PROPERTY + "=true)");
        try {
            return TdlibLibrary.load(Optional.empty());
        } catch (TdlibUnavailableException e) {
            throw new AssertionError(
                    "The real TDLib library is required for this test and could not be loaded: " + e.getMessage()
                            + " (only -D" + SKIP_PROPERTY + "=true skips these tests)",
                    e);
        }
    }
}
