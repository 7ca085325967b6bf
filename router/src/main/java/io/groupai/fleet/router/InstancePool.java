package io.groupai.fleet.router;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances and the strategy that picks one. {@link #acquire} returns an instance with a
 * concurrency slot already taken, or null when none is routable with a free slot.
 */
public final class InstancePool {

    private static final Logger log = LoggerFactory.getLogger(InstancePool.class);

    private volatile List<Instance> instances = List.of();
    private volatile Strategy strategy = Strategy.ROUNDROBIN;
    private final AtomicLong turn = new AtomicLong();
    private final Object swrrLock = new Object();

    public List<Instance> instances() {
        return instances;
    }

    public Strategy strategy() {
        return strategy;
    }

    public Optional<Instance> find(String id) {
        return instances.stream().filter(i -> i.id().equals(id)).findFirst();
    }

    /**
     * Applies a (re)loaded config: keeps the live state of instances whose id and address stay,
     * adds new ones, drops removed ones. Returns the removed instances (for closing).
     */
    synchronized List<Instance> apply(RouterConfig config) {
        Map<String, Instance> old = new LinkedHashMap<>();
        instances.forEach(i -> old.put(i.id(), i));
        List<Instance> next = new ArrayList<>();
        for (RouterConfig.Account a : config.accounts()) {
            Instance prev = old.remove(a.id());
            if (prev != null && prev.account().baseUrl().equals(a.baseUrl())) {
                prev.update(a);
                next.add(prev);
            } else {
                if (prev != null) {
                    old.put(a.id() + "#moved", prev);
                }
                next.add(new Instance(a));
                log.info("instance {} added: {}", a.id(), a);
            }
        }
        if (strategy != config.router().strategy()) {
            log.info(
                    "routing strategy {} -> {}",
                    strategy.configName(),
                    config.router().strategy().configName());
        }
        strategy = config.router().strategy();
        instances = List.copyOf(next);
        old.values().forEach(i -> log.info("instance {} removed", i.id()));
        return List.copyOf(old.values());
    }

    /**
     * Picks an instance for a request and takes a slot on it. {@code key} is what the hash
     * strategy hashes (the caller's API key, else its address); {@code exclude} is the instance a
     * failed first attempt went to.
     */
    public Instance acquire(String key, Instance exclude) {
        List<Instance> all = instances;
        int n = all.size();
        if (n == 0) {
            return null;
        }
        long now = System.nanoTime();
        return switch (strategy) {
            case ROUNDROBIN -> roundRobin(all, exclude, now);
            case WEIGHTED -> weighted(all, exclude, now);
            case HASH -> rendezvous(all, key, exclude, now);
            case LEAST_BUSY -> leastBusy(all, exclude, now);
        };
    }

    private Instance roundRobin(List<Instance> all, Instance exclude, long now) {
        int n = all.size();
        int start = (int) Math.floorMod(turn.getAndIncrement(), (long) n);
        for (int k = 0; k < n; k++) {
            Instance i = all.get((start + k) % n);
            if (i != exclude && i.routable(now) && i.tryAcquire()) {
                return i;
            }
        }
        return null;
    }

    /** nginx's smooth weighted round robin over the instances that can take the request now. */
    private Instance weighted(List<Instance> all, Instance exclude, long now) {
        synchronized (swrrLock) {
            for (int attempt = 0; attempt < all.size(); attempt++) {
                Instance best = null;
                long totalWeight = 0;
                for (Instance i : all) {
                    if (i == exclude || !i.routable(now) || i.full()) {
                        continue;
                    }
                    i.swrrCurrent += i.weight();
                    totalWeight += i.weight();
                    if (best == null || i.swrrCurrent > best.swrrCurrent) {
                        best = i;
                    }
                }
                if (best == null) {
                    return null;
                }
                best.swrrCurrent -= totalWeight;
                if (best.tryAcquire()) {
                    return best;
                }
            }
            return null;
        }
    }

    /**
     * Weighted rendezvous hashing: each instance scores -weight/ln(u) with u a hash of (key, id) in
     * (0,1); the key goes to the best-scoring routable instance with a free slot. Adding or removing
     * an instance moves only the keys that instance wins or held.
     */
    private Instance rendezvous(List<Instance> all, String key, Instance exclude, long now) {
        int n = all.size();
        Instance[] order = new Instance[n];
        double[] score = new double[n];
        int m = 0;
        long keyHash = fnv1a64(key == null ? "" : key);
        for (Instance i : all) {
            if (i == exclude || !i.routable(now)) {
                continue;
            }
            double s = rendezvousScore(keyHash, i.id(), i.weight());
            int at = m++;
            while (at > 0 && score[at - 1] < s) {
                score[at] = score[at - 1];
                order[at] = order[at - 1];
                at--;
            }
            score[at] = s;
            order[at] = i;
        }
        for (int k = 0; k < m; k++) {
            if (order[k].tryAcquire()) {
                return order[k];
            }
        }
        return null;
    }

    static double rendezvousScore(long keyHash, String id, int weight) {
        long h = mix64(keyHash ^ fnv1a64(id));
        double u = ((h >>> 11) + 0.5) / (double) (1L << 53); // (0, 1)
        return -weight / Math.log(u);
    }

    private Instance leastBusy(List<Instance> all, Instance exclude, long now) {
        int n = all.size();
        for (int attempt = 0; attempt < n; attempt++) {
            Instance best = null;
            double bestLoad = Double.MAX_VALUE;
            int start = (int) Math.floorMod(turn.getAndIncrement(), (long) n); // ties go round
            for (int k = 0; k < n; k++) {
                Instance i = all.get((start + k) % n);
                if (i == exclude || !i.routable(now) || i.full()) {
                    continue;
                }
                int max = i.maxConcurrent();
                double load = max > 0 ? (double) i.currentConcurrent() / max : i.currentConcurrent() / 1e6;
                if (load < bestLoad) {
                    best = i;
                    bestLoad = load;
                }
            }
            if (best == null) {
                return null;
            }
            if (best.tryAcquire()) {
                return best;
            }
        }
        return null;
    }

    /** True when some instance is routable (so a full pool is "busy", not "down"). */
    boolean anyRoutable() {
        long now = System.nanoTime();
        return instances.stream().anyMatch(i -> i.routable(now));
    }

    static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser: spreads FNV's weak low bits. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
