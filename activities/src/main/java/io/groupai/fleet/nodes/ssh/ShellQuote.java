package io.groupai.fleet.nodes.ssh;

import java.util.List;
import java.util.stream.Collectors;

/** POSIX shell quoting. Every value that reaches a remote command goes through here. */
public final class ShellQuote {

    private ShellQuote() {}

    /** Wraps the value in single quotes; an embedded {@code '} becomes {@code '\''}. NUL is refused. */
    public static String quote(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL byte cannot be passed to a shell");
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** Quotes each element and joins them with spaces: a command line that the shell splits back into argv. */
    public static String join(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        return argv.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }
}
