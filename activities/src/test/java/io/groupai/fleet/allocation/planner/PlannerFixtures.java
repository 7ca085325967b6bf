package io.groupai.fleet.allocation.planner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Test helpers: a small server builder and account lists. */
final class PlannerFixtures {

    private PlannerFixtures() {}

    static Server server(String nodeId, int max) {
        return new Server(nodeId, max);
    }

    /** The seed's three servers, five accounts each, empty and alike. */
    static List<ServerCandidate> seedServers() {
        return List.of(
                server("worker-01", 5).location("LosAngeles").build(),
                server("los-angeles", 5).location("LosAngeles").build(),
                server("manila", 5).location("Manila").build());
    }

    static List<AccountRequest> accounts(int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> AccountRequest.of(String.format("acc-%05d", i)))
                .toList();
    }

    static Map<String, Integer> counts(Plan plan) {
        return plan.plannedPerServer();
    }

    static final class Server {
        private final String nodeId;
        private final int max;
        private int current;
        private int reserved;
        private double weight = 1.0;
        private String location;
        private double cpu = 20;
        private double memory = 30;
        private double disk = 40;
        private long latency = 100;
        private int failures;
        private boolean healthy = true;
        private ServerState state = ServerState.ACTIVE;
        private final Map<String, Integer> scripts = new HashMap<>();

        private Server(String nodeId, int max) {
            this.nodeId = nodeId;
            this.max = max;
        }

        Server current(int v) {
            current = v;
            return this;
        }

        Server reserved(int v) {
            reserved = v;
            return this;
        }

        Server weight(double v) {
            weight = v;
            return this;
        }

        Server location(String v) {
            location = v;
            return this;
        }

        Server cpu(double v) {
            cpu = v;
            return this;
        }

        Server memory(double v) {
            memory = v;
            return this;
        }

        Server disk(double v) {
            disk = v;
            return this;
        }

        Server latency(long v) {
            latency = v;
            return this;
        }

        Server failures(int v) {
            failures = v;
            return this;
        }

        Server healthy(boolean v) {
            healthy = v;
            return this;
        }

        Server state(ServerState v) {
            state = v;
            return this;
        }

        Server script(String id, int count) {
            scripts.put(id, count);
            return this;
        }

        ServerCandidate build() {
            return new ServerCandidate(
                    nodeId, max, current, reserved, weight, location, cpu, memory, disk, latency, failures, healthy,
                    state, scripts);
        }
    }

    static List<ServerCandidate> reversed(List<ServerCandidate> servers) {
        List<ServerCandidate> copy = new ArrayList<>(servers);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
