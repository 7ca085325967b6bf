package io.groupai.fleet.nodes.ssh;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Parses the key=value output of {@link NodeProbe}'s script. Tolerates extra lines, blank lines,
 * odd spacing and any order; a value that cannot be computed makes the probe fail with a clear
 * message rather than report a made-up number.
 */
public final class ProbeOutputParser {

    private ProbeOutputParser() {}

    public static ProbeResult parse(String nodeId, String output, long latencyMillis, Instant probedAt) {
        Map<String, String> values = new HashMap<>();
        for (String raw : output.split("\\R")) {
            String line = raw.strip();
            // key=value from the script, "Key:   value kB" from /proc/meminfo: split at whichever comes first
            int eq = line.indexOf('=');
            int colon = line.indexOf(':');
            int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
            if (sep > 0) {
                values.putIfAbsent(
                        line.substring(0, sep).strip(), line.substring(sep + 1).strip());
            }
        }
        boolean alive = "1".equals(values.get("alive"));
        Long pid = alive ? parseLongOrNull(values.get("pid")) : null;
        double cpu = cpuUsage(values.get("cpu1"), values.get("cpu2"))
                .orElseThrow(() -> fail(nodeId, "no usable /proc/stat samples in probe output"));
        double mem =
                memoryUsage(values).orElseThrow(() -> fail(nodeId, "no usable MemTotal/MemAvailable in probe output"));
        double disk =
                diskUsage(values.get("df")).orElseThrow(() -> fail(nodeId, "no usable 'df -P' line in probe output"));
        return new ProbeResult(alive && pid != null, pid, cpu, mem, disk, latencyMillis, probedAt);
    }

    /** Busy share between two {@code cpu ...} lines of /proc/stat: 1 - (idle+iowait delta)/(total delta). */
    static OptionalDouble cpuUsage(String first, String second) {
        long[] a = cpuFields(first);
        long[] b = cpuFields(second);
        if (a == null || b == null) {
            return OptionalDouble.empty();
        }
        long total = 0;
        long idle = 0;
        // user nice system idle iowait irq softirq steal; guest time is already counted in user
        for (int i = 0; i < Math.min(8, Math.min(a.length, b.length)); i++) {
            long delta = Math.max(0, b[i] - a[i]);
            total += delta;
            if (i == 3 || i == 4) {
                idle += delta;
            }
        }
        return OptionalDouble.of(total == 0 ? 0.0 : clamp(100.0 * (total - idle) / total));
    }

    private static long[] cpuFields(String line) {
        if (line == null) {
            return null;
        }
        String[] parts = line.trim().split("\\s+");
        if (parts.length < 5 || !parts[0].equals("cpu")) {
            return null;
        }
        long[] fields = new long[parts.length - 1];
        for (int i = 1; i < parts.length; i++) {
            Long v = parseLongOrNull(parts[i]);
            if (v == null) {
                return null;
            }
            fields[i - 1] = v;
        }
        return fields;
    }

    static OptionalDouble memoryUsage(Map<String, String> values) {
        Long total = kib(values.get("MemTotal"));
        Long available = kib(values.get("MemAvailable"));
        if (available == null) {
            // kernels before 3.14 have no MemAvailable; approximate as the kernel did
            Long free = kib(values.get("MemFree"));
            Long buffers = kib(values.get("Buffers"));
            Long cached = kib(values.get("Cached"));
            if (free != null && buffers != null && cached != null) {
                available = free + buffers + cached;
            }
        }
        if (total == null || available == null || total <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(clamp(100.0 * (total - available) / total));
    }

    private static Long kib(String value) {
        if (value == null) {
            return null;
        }
        String[] parts = value.trim().split("\\s+");
        return parseLongOrNull(parts[0]);
    }

    /**
     * {@code Filesystem 1024-blocks Used Available Capacity Mounted-on}, read from the capacity column
     * backwards because the device name may contain spaces. Usage = used / (used + available), as df computes it.
     */
    static OptionalDouble diskUsage(String dfLine) {
        if (dfLine == null || dfLine.isBlank()) {
            return OptionalDouble.empty();
        }
        String[] parts = dfLine.trim().split("\\s+");
        for (int i = parts.length - 1; i >= 2; i--) {
            if (parts[i].matches("\\d+%")) {
                Long used = parseLongOrNull(parts[i - 2]);
                Long avail = parseLongOrNull(parts[i - 1]);
                if (used != null && avail != null && used + avail > 0) {
                    return OptionalDouble.of(clamp(100.0 * used / (used + avail)));
                }
                return OptionalDouble.of(clamp(Double.parseDouble(parts[i].substring(0, parts[i].length() - 1))));
            }
        }
        return OptionalDouble.empty();
    }

    private static Long parseLongOrNull(String s) {
        if (s == null || s.isEmpty() || s.length() > 19) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double clamp(double v) {
        return Math.max(0.0, Math.min(100.0, v));
    }

    private static SshException fail(String nodeId, String detail) {
        return new SshException(nodeId, "probe", SshException.Kind.COMMAND_FAILED, detail);
    }
}
