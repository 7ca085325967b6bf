package io.groupai.fleet.app.router;

import io.groupai.fleet.router.Instance;
import io.groupai.fleet.router.RequestObserver;
import io.groupai.fleet.router.RoutingPool;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The routing pool's metrics per upstream instance: {@code groupai_router_requests_seconds{instance,
 * outcome}} (count, sum and histogram of attempts, send to end of response), and the gauges
 * {@code groupai_router_in_flight{instance}} and {@code groupai_router_instance_up{instance}} (1 while
 * routable). Meters of an instance appear with its first request and stay, as Prometheus expects.
 */
final class RoutingPoolMetrics implements RequestObserver {

    private final MeterRegistry meters;
    private final Supplier<RoutingPool> pool;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    RoutingPoolMetrics(MeterRegistry meters, Supplier<RoutingPool> pool) {
        this.meters = meters;
        this.pool = pool;
    }

    @Override
    public void completed(String instanceId, boolean success, long nanos) {
        String outcome = success ? "success" : "failure";
        timers.computeIfAbsent(instanceId + '\u0000' + outcome, k -> register(instanceId, outcome))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer register(String instanceId, String outcome) {
        Gauge.builder(
                        "groupai.router.in_flight",
                        () -> instance(instanceId)
                                .map(Instance::currentConcurrent)
                                .orElse(0))
                .description("requests in flight on the upstream instance")
                .tag("instance", instanceId)
                .register(meters);
        Gauge.builder(
                        "groupai.router.instance.up",
                        () -> instance(instanceId)
                                .map(i -> i.enabled()
                                                && switch (i.status(System.nanoTime())) {
                                                    case HEALTHY, UNKNOWN -> true;
                                                    default -> false;
                                                }
                                        ? 1
                                        : 0)
                                .orElse(0))
                .description("1 while the upstream instance is enabled and routable")
                .tag("instance", instanceId)
                .register(meters);
        return Timer.builder("groupai.router.requests")
                .description("upstream attempts of the routing pool, send to end of response")
                .tags("instance", instanceId, "outcome", outcome)
                .publishPercentileHistogram()
                .register(meters);
    }

    private Optional<Instance> instance(String id) {
        RoutingPool p = pool.get();
        return p == null ? Optional.empty() : p.pool().find(id);
    }
}
