package io.groupai.fleet.workflows.nodes;

/** What one SSH probe of a node found. Numbers are percentages (0-100) and milliseconds. */
public record NodeProbeReport(
        String nodeId,
        boolean processAlive,
        Long pid,
        double cpuUsage,
        double memoryUsage,
        double diskUsage,
        long latencyMillis) {}
