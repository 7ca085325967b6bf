package io.groupai.fleet.sessionformat;

import java.util.Set;

/**
 * The one agreed shape of a session archive, checked by the control plane on upload and by the
 * agent on install: a zip of a TDLib database directory's contents, with {@code td.binlog} (or
 * the test-DC {@code td_test.binlog}) at its root or in {@code db/}, and entry names that stay
 * inside the directory they are unpacked into.
 */
public final class SessionArchiveLayout {

    /** Entry names that mark a TDLib database directory. */
    public static final Set<String> BINLOG_ENTRIES =
            Set.of("td.binlog", "db/td.binlog", "td_test.binlog", "db/td_test.binlog");

    private SessionArchiveLayout() {}

    public static boolean isBinlog(String entryName) {
        return BINLOG_ENTRIES.contains(entryName);
    }

    /** Why a zip entry name would escape the target directory (zip-slip), or null when it is safe. */
    public static String unsafeEntryName(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            return "has an empty or NUL name";
        }
        if (name.indexOf('\\') >= 0) {
            return "contains a backslash";
        }
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            return "is an absolute path";
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                return "contains '..'";
            }
        }
        return null;
    }
}
