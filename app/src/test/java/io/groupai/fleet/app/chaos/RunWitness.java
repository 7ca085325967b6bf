package io.groupai.fleet.app.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who ran which account when, from the worker-node agents' own logs: an account runs on a node from
 * its {@code account X: started} line until its {@code account X: stopped} line, or until the agent
 * process was killed (SIGKILL leaves no line; the test records when it killed it). A started line is
 * written once the simulated Telegram client is connected and a stopped line once it is
 * disconnected, so an interval covers at least the time the account was live on that node.
 */
final class RunWitness {

    private static final Pattern LINE =
            Pattern.compile("^(\\S+) +\\S+ +\\[[^\\]]*] +\\S+ +- account (\\S+): (started on|stopped)\\b.*");

    record Interval(String accountId, String nodeId, Instant start, Instant end) {
        boolean open() {
            return end == null;
        }

        boolean overlaps(Interval other) {
            Instant thisEnd = end == null ? Instant.MAX : end;
            Instant otherEnd = other.end == null ? Instant.MAX : other.end;
            return start.isBefore(otherEnd) && other.start.isBefore(thisEnd);
        }

        @Override
        public String toString() {
            return accountId + " on " + nodeId + " [" + start + " .. " + (end == null ? "running" : end) + "]";
        }
    }

    private record Event(Instant at, String nodeId, String accountId, boolean start) {}

    private final Map<String, Path> logs = new LinkedHashMap<>();
    private final List<Event> kills = new CopyOnWriteArrayList<>();

    /** The node's agent log: {@code <deploy dir>/logs/worker-node.log}, appended to by every agent started there. */
    void node(String nodeId, Path deployDir) {
        logs.put(nodeId, deployDir.resolve("logs").resolve("worker-node.log"));
    }

    /** The node's agent was killed at this instant: whatever it ran stopped then. */
    void killed(String nodeId, Instant at) {
        kills.add(new Event(at, nodeId, null, false));
    }

    /** Every account's intervals, by account id, in start order. */
    Map<String, List<Interval>> intervals() {
        List<Event> events = new ArrayList<>(kills);
        logs.forEach((nodeId, log) -> events.addAll(read(nodeId, log)));
        // At the same instant a stop goes first: an account that stops and starts in one millisecond did not overlap.
        events.sort(Comparator.comparing(Event::at).thenComparing(Event::start));
        Map<String, Map<String, Instant>> openByNode = new TreeMap<>();
        Map<String, List<Interval>> byAccount = new TreeMap<>();
        for (Event e : events) {
            Map<String, Instant> open = openByNode.computeIfAbsent(e.nodeId(), n -> new LinkedHashMap<>());
            if (e.accountId() == null) { // a kill ends everything that node ran
                open.forEach((account, start) -> byAccount
                        .computeIfAbsent(account, a -> new ArrayList<>())
                        .add(new Interval(account, e.nodeId(), start, e.at())));
                open.clear();
            } else if (e.start()) {
                open.putIfAbsent(e.accountId(), e.at());
            } else {
                Instant start = open.remove(e.accountId());
                if (start != null) {
                    byAccount
                            .computeIfAbsent(e.accountId(), a -> new ArrayList<>())
                            .add(new Interval(e.accountId(), e.nodeId(), start, e.at()));
                }
            }
        }
        openByNode.forEach((nodeId, open) -> open.forEach((account, start) -> byAccount
                .computeIfAbsent(account, a -> new ArrayList<>())
                .add(new Interval(account, nodeId, start, null))));
        byAccount.values().forEach(list -> list.sort(Comparator.comparing(Interval::start)));
        return byAccount;
    }

    /** Pairs of intervals of one account on two different nodes that share an instant. */
    List<String> overlaps() {
        List<String> found = new ArrayList<>();
        intervals().forEach((account, list) -> {
            for (int i = 0; i < list.size(); i++) {
                for (int j = i + 1; j < list.size(); j++) {
                    Interval a = list.get(i);
                    Interval b = list.get(j);
                    if (!a.nodeId().equals(b.nodeId()) && a.overlaps(b)) {
                        found.add(a + " overlaps " + b);
                    }
                }
            }
        });
        return found;
    }

    /** The nodes the account runs on right now (an open interval). */
    List<String> runningOn(String accountId) {
        return intervals().getOrDefault(accountId, List.of()).stream()
                .filter(Interval::open)
                .map(Interval::nodeId)
                .toList();
    }

    String timeline(String accountId) {
        return intervals().getOrDefault(accountId, List.of()).toString();
    }

    private static List<Event> read(String nodeId, Path log) {
        if (!Files.isRegularFile(log)) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the agent log " + log, e);
        }
        List<Event> events = new ArrayList<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                events.add(new Event(
                        OffsetDateTime.parse(m.group(1)).toInstant(),
                        nodeId,
                        m.group(2),
                        m.group(3).startsWith("started")));
            }
        }
        return events;
    }
}
