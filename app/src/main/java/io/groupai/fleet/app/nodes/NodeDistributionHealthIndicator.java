package io.groupai.fleet.app.nodes;

import io.groupai.fleet.nodes.NodeDistribution;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * /actuator/health shows which worker-node distribution bootstrap installs, and is DOWN when
 * there is none: an app that cannot bootstrap a server should not look healthy.
 */
@Component("workerNodeDistribution")
class NodeDistributionHealthIndicator implements HealthIndicator {

    private final NodeDistribution distribution;

    NodeDistributionHealthIndicator(NodeDistribution distribution) {
        this.distribution = distribution;
    }

    @Override
    public Health health() {
        try {
            NodeDistribution.Manifest m = distribution.manifest();
            return Health.up()
                    .withDetail("version", m.version())
                    .withDetail("java_runtime", m.javaVersion())
                    .withDetail("runtime_id", m.runtimeId().substring(0, 12))
                    .withDetail("platform", m.os() + " " + m.arch() + ", glibc " + m.minGlibc() + "+")
                    .build();
        } catch (IllegalStateException e) {
            return Health.down().withDetail("error", e.getMessage()).build();
        }
    }
}
