package io.groupai.fleet.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strategies, without the network. */
class InstancePoolTest {

    private static InstancePool pool(String strategy, String... accounts) throws Exception {
        InstancePool p = new InstancePool();
        p.apply(RouterConfig.parse("{\"accounts\": [" + String.join(",", accounts) + "], \"router\": {\"strategy\": \""
                + strategy + "\"}}"));
        return p;
    }

    private static String acc(String id, int port, int weight, int max) {
        return "{\"id\": \"" + id + "\", \"port\": " + port + ", \"weight\": " + weight + ", \"max_concurrent\": " + max
                + "}";
    }

    private static String pick(InstancePool p, String key) {
        Instance i = p.acquire(key, null);
        if (i == null) {
            return null;
        }
        i.release();
        return i.id();
    }

    @Test
    void smoothWeightedRoundRobinInterleavesInProportionToWeight() throws Exception {
        InstancePool p = pool("weighted", acc("a", 2048, 5, 0), acc("b", 2049, 1, 0), acc("c", 2050, 1, 0));
        List<String> seq = new ArrayList<>();
        for (int k = 0; k < 7; k++) {
            seq.add(pick(p, null));
        }
        // nginx's sequence for 5:1:1 — a is never sent 5 in a row.
        assertThat(seq).containsExactly("a", "a", "b", "a", "c", "a", "a");
    }

    @Test
    void weightedSkipsFullInstancesAndKeepsTheRatioAmongTheRest() throws Exception {
        InstancePool p = pool("weighted", acc("a", 2048, 2, 1), acc("b", 2049, 1, 0));
        Instance held = p.acquire(null, null);
        assertThat(held.id()).isEqualTo("a");
        for (int k = 0; k < 5; k++) {
            assertThat(pick(p, null)).isEqualTo("b"); // a is full (max_concurrent 1)
        }
        held.release();
        Map<String, Integer> counts = new HashMap<>();
        for (int k = 0; k < 300; k++) {
            counts.merge(pick(p, null), 1, Integer::sum);
        }
        assertThat(counts.get("a")).isEqualTo(200);
        assertThat(counts.get("b")).isEqualTo(100);
    }

    @Test
    void hashSendsAKeyAlwaysToTheSameInstanceAndANewInstanceMovesOnlyItsShare() throws Exception {
        InstancePool three = pool("hash", acc("a", 2048, 1, 0), acc("b", 2049, 1, 0), acc("c", 2050, 1, 0));
        InstancePool four =
                pool("hash", acc("a", 2048, 1, 0), acc("b", 2049, 1, 0), acc("c", 2050, 1, 0), acc("d", 2051, 1, 0));
        int moved = 0;
        Map<String, Integer> spread = new HashMap<>();
        for (int k = 0; k < 4000; k++) {
            String key = "sk-user-" + k;
            String before = pick(three, key);
            assertThat(pick(three, key)).isEqualTo(before);
            String after = pick(four, key);
            spread.merge(after, 1, Integer::sum);
            if (!after.equals(before)) {
                moved++;
                assertThat(after).isEqualTo("d"); // keys only move to the new instance
            }
        }
        assertThat(moved).isBetween(800, 1200); // about a quarter
        assertThat(spread.values()).allSatisfy(n -> assertThat(n).isBetween(850, 1150));
    }

    @Test
    void hashFallsBackToTheKeysNextInstanceWhenItsOwnIsFull() throws Exception {
        InstancePool p = pool("hash", acc("a", 2048, 1, 1), acc("b", 2049, 1, 1), acc("c", 2050, 1, 1));
        Instance first = p.acquire("sk-x", null);
        Instance second = p.acquire("sk-x", null);
        Instance third = p.acquire("sk-x", null);
        assertThat(List.of(first.id(), second.id(), third.id())).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(p.acquire("sk-x", null)).isNull();
    }

    @Test
    void leastBusyPicksTheLowestLoadRelativeToMaxConcurrent() throws Exception {
        InstancePool p = pool("least_busy", acc("a", 2048, 1, 4), acc("b", 2049, 1, 2));
        List<Instance> held = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            held.add(p.acquire(null, null));
        }
        assertThat(held).allSatisfy(i -> assertThat(i).isNotNull());
        assertThat(held.stream().filter(i -> i.id().equals("a")).count()).isEqualTo(4);
        assertThat(p.acquire(null, null)).isNull();
        held.get(0).release();
        assertThat(p.acquire(null, null).id()).isEqualTo(held.get(0).id());
    }

    @Test
    void roundRobinSkipsDisabledAndExcludedInstances() throws Exception {
        InstancePool p = pool("roundrobin", acc("a", 2048, 1, 0), acc("b", 2049, 1, 0), acc("c", 2050, 1, 0));
        p.find("b").orElseThrow().setEnabled(false, "test");
        for (int k = 0; k < 6; k++) {
            assertThat(pick(p, null)).isIn("a", "c");
        }
        Instance a = p.find("a").orElseThrow();
        for (int k = 0; k < 4; k++) {
            Instance i = p.acquire(null, a);
            assertThat(i.id()).isEqualTo("c");
            i.release();
        }
    }

    @Test
    void theSeedsConfigIsAcceptedAsWritten() throws Exception {
        RouterConfig c = RouterConfig.parse(RouterConfig.example());
        assertThat(c.accounts()).hasSize(3);
        assertThat(c.accounts().get(0).baseUrl()).isEqualTo("http://127.0.0.1:2048");
        assertThat(c.accounts().get(0).weight()).isEqualTo(2);
        assertThat(c.accounts().get(0).maxConcurrent()).isEqualTo(3);
        assertThat(c.router().port()).isEqualTo(8080);
        assertThat(c.router().strategy()).isEqualTo(Strategy.ROUNDROBIN);
        assertThat(c.router().healthCheckInterval().toSeconds()).isEqualTo(30);
        assertThat(c.router().autoRestart()).isTrue();
        assertThat(c.logging().file()).isEqualTo("logs/router_manager.log");
    }
}
