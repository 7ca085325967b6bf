package io.groupai.fleet.node.telegram.tdlib;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 100 real TDLib clients in one process, offline: all start, memory stays within the per-account target. */
class TdlibHundredClientsTest {

    /** The target per account; offline clients measure about 1.5-2 MB here, so this is not flaky. */
    private static final double MAX_MB_PER_CLIENT = 15.0;

    private static TdlibClientManager manager;

    @BeforeAll
    static void open() {
        manager = new TdlibClientManager(TdlibTestSupport.realLibrary(), TdlibTestSupport.CONFIG.withLogVerbosity(0));
    }

    @AfterAll
    static void shut() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void hundredClientsReachWaitPhoneNumberWithinTheMemoryTarget() throws Exception {
        TdlibMemoryBench.Result result = TdlibMemoryBench.measure(manager, 100);
        System.out.println("TDLib memory: " + result);
        assertThat(result.perClientMb()).isLessThanOrEqualTo(MAX_MB_PER_CLIENT);
        assertThat(manager.accounts()).isEmpty();
    }
}
