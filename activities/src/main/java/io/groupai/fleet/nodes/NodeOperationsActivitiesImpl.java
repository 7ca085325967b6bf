package io.groupai.fleet.nodes;

import io.groupai.fleet.alerts.DiskAlerts;
import io.groupai.fleet.nodes.ssh.NodeProbe;
import io.groupai.fleet.nodes.ssh.ProbeResult;
import io.groupai.fleet.nodes.ssh.SshException;
import io.groupai.fleet.nodes.ssh.WorkerProcessControl;
import io.groupai.fleet.nodes.ssh.WorkerStatus;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.nodes.NodeOperationsActivities;
import io.groupai.fleet.workflows.nodes.NodeProbeReport;
import io.groupai.fleet.workflows.nodes.ProcessState;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Server operations over SSH, on the control-plane queue. Failures become Temporal failures
 * whose message names the server and the step; those that retrying cannot fix (bad credentials,
 * changed host key, unknown server) are marked non-retryable.
 */
@Component("nodeOperationsActivities")
public class NodeOperationsActivitiesImpl implements NodeOperationsActivities {

    private final NodeTargets targets;
    private final NodeProbe probe;
    private final WorkerProcessControl processes;
    private final ServerRepository servers;
    private final DiskAlerts diskAlerts;
    private final MeterRegistry meters;

    public NodeOperationsActivitiesImpl(
            NodeTargets targets,
            NodeProbe probe,
            WorkerProcessControl processes,
            ServerRepository servers,
            DiskAlerts diskAlerts,
            MeterRegistry meters) {
        this.targets = targets;
        this.probe = probe;
        this.processes = processes;
        this.servers = servers;
        this.diskAlerts = diskAlerts;
        this.meters = meters;
    }

    @Override
    public NodeProbeReport probe(String nodeId) {
        try {
            NodeTargets.Node node = targets.node(nodeId);
            ProbeResult r = probe.probe(node.target(), node.service());
            servers.recordProbe(
                    nodeId, r.processAlive(), r.pid(), r.cpuUsage(), r.memoryUsage(), r.diskUsage(), r.latencyMillis());
            // One timer for the fleet, no server tag: per-server latency is in the server gauges.
            meters.timer("groupai.ssh.probe.latency").record(Duration.ofMillis(r.latencyMillis()));
            diskAlerts.measured(nodeId, r.diskUsage());
            return new NodeProbeReport(
                    nodeId, r.processAlive(), r.pid(), r.cpuUsage(), r.memoryUsage(), r.diskUsage(), r.latencyMillis());
        } catch (SshException e) {
            meters.counter("groupai.ssh.probe.failures").increment();
            servers.recordProbeFailure(nodeId, e.getMessage());
            throw SshFailures.toTemporal(e);
        } catch (NotFoundException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.NON_RETRYABLE_NODE_FAILURE);
        }
    }

    @Override
    public ProcessState startWorker(String nodeId) {
        return state(nodeId, () -> {
            NodeTargets.Node node = targets.node(nodeId);
            return processes.start(node.target(), node.service());
        });
    }

    @Override
    public ProcessState stopWorker(String nodeId) {
        return state(nodeId, () -> {
            NodeTargets.Node node = targets.node(nodeId);
            return processes.stop(node.target(), node.service());
        });
    }

    private ProcessState state(String nodeId, Supplier<WorkerStatus> operation) {
        try {
            WorkerStatus status = operation.get();
            return new ProcessState(nodeId, status.running(), status.pid());
        } catch (SshException e) {
            throw SshFailures.toTemporal(e);
        } catch (NotFoundException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.NON_RETRYABLE_NODE_FAILURE);
        }
    }
}
