package io.groupai.fleet.workflows.nodes;

import java.util.List;

/** Outcome of a server operation: the process state after it, the last probe, every step. */
public record ServerOperationResult(
        String nodeId,
        ServerAction action,
        boolean success,
        ProcessState process,
        NodeProbeReport probe,
        List<StepProgress> steps,
        String message) {}
