package io.groupai.fleet.node;

import java.util.regex.Pattern;

/**
 * Account, script and version ids become directory and file names under the deploy dir, so they
 * are checked before any path is built from them: letters (any script, e.g. the seeds' Chinese
 * script ids), digits and {@code . _ + @ -}, not starting with a dot, at most 128 characters.
 */
public final class SafeNames {

    private static final Pattern SAFE = Pattern.compile("[\\p{L}\\p{N}_+@-][\\p{L}\\p{N}._+@-]{0,127}");

    private SafeNames() {}

    public static boolean isSafe(String value) {
        return value != null && SAFE.matcher(value).matches();
    }

    /** @throws IllegalArgumentException naming {@code what} when the value is unsafe */
    public static String require(String what, String value) {
        if (!isSafe(value)) {
            throw new IllegalArgumentException("invalid " + what + " '" + value
                    + "': use letters, digits and . _ + @ - (not starting with '.'), at most 128 characters");
        }
        return value;
    }
}
