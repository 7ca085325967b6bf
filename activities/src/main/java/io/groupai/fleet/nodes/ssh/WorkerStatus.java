package io.groupai.fleet.nodes.ssh;

/** Whether the worker-node process named by the pid file is running, and its pid. */
public record WorkerStatus(boolean running, Long pid) {

    public static WorkerStatus stopped() {
        return new WorkerStatus(false, null);
    }
}
