package io.groupai.fleet.nodes.ssh;

import java.time.Instant;

/**
 * One health probe of a server.
 *
 * @param processAlive  the pid file names a live (non-zombie) process
 * @param pid           that process, or null when not alive
 * @param cpuUsage      percent of all CPUs busy over ~200 ms, 0..100
 * @param memoryUsage   percent of memory not available (MemTotal - MemAvailable), 0..100
 * @param diskUsage     percent used of the file system holding the deploy dir, 0..100
 * @param latencyMillis SSH round trip of a trivial command on the pooled session
 * @param probedAt      when the probe finished
 */
public record ProbeResult(
        boolean processAlive,
        Long pid,
        double cpuUsage,
        double memoryUsage,
        double diskUsage,
        long latencyMillis,
        Instant probedAt) {}
