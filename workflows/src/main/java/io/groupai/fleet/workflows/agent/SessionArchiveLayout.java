package io.groupai.fleet.workflows.agent;

import java.util.Set;

/**
 * The one agreed shape of a session archive, checked by the control plane on upload and by the
 * agent on install: a zip of a TDLib database directory's contents, with {@code td.binlog} (or
 * the test-DC {@code td_test.binlog}) at its root or in {@code db/}.
 */
public final class SessionArchiveLayout {

    /** Entry names that mark a TDLib database directory. */
    public static final Set<String> BINLOG_ENTRIES = Set.of("td.binlog", "db/td.binlog", "td_test.binlog", "db/td_test.binlog");

    private SessionArchiveLayout() {
    }

    public static boolean isBinlog(String entryName) {
        return BINLOG_ENTRIES.contains(entryName);
    }
}
