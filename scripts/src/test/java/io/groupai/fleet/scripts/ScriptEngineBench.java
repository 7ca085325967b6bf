package io.groupai.fleet.scripts;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Engine decisions on a 50-scene script with 500 keywords and 20 regexes, on one thread (one
 * core): throughput, p50/p99/p99.9 latency per decision and bytes allocated per decision. Messages
 * are 8-14 words from a 5,000-word vocabulary; 10% contain a keyword, 3% match a regex.
 *
 * <pre>
 * ./mvnw -q -pl scripts test-compile exec:java -Dbench=scripts -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.groupai.fleet.scripts.ScriptEngineBench -Dexec.args="10"
 * </pre>
 * args: seconds to measure (default 10), after as many seconds of warm-up.
 */
public final class ScriptEngineBench {

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        SplittableRandom random = new SplittableRandom(7);
        String yaml = script();
        long t0 = System.nanoTime();
        ScriptEngine engine = new ScriptEngine(ScriptParser.parse(yaml));
        System.out.printf(
                "script: %d bytes, 50 scenes, 500 keywords, 20 regexes; parsed and compiled in %.1f ms%n",
                yaml.length(), (System.nanoTime() - t0) / 1e6);

        List<Event> events = events(random, 20_000);
        ChatState[] groups = new ChatState[1_000];
        Arrays.setAll(groups, i -> new ChatState());

        run(engine, events, groups, random, seconds, false); // warm-up
        run(engine, events, groups, random, seconds, true);
    }

    private static void run(
            ScriptEngine engine,
            List<Event> events,
            ChatState[] groups,
            SplittableRandom random,
            int seconds,
            boolean report) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        // Throughput: no per-decision timing in the loop.
        long decisions = 0;
        long fired = 0;
        long allocBefore = threads.getThreadAllocatedBytes(tid);
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        int n = events.size();
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                Event e = events.get((int) (decisions % n));
                if (engine.decide(groups[(int) (decisions % groups.length)], e, decisions, random)
                        .isPresent()) {
                    fired++;
                }
                decisions++;
            }
        }
        long wall = System.nanoTime() - start;
        long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
        long alloc = threads.getThreadAllocatedBytes(tid) - allocBefore;

        // Latency: each decision timed on its own.
        int samples = 1_000_000;
        long[] lat = new long[samples];
        for (int i = 0; i < samples; i++) {
            Event e = events.get(i % n);
            long s = System.nanoTime();
            engine.decide(groups[i % groups.length], e, i, random);
            lat[i] = System.nanoTime() - s;
        }
        Arrays.sort(lat);
        if (report) {
            System.out.printf(
                    "throughput: %,.0f decisions/s wall, %,.0f decisions/s per CPU-second of this thread"
                            + " (%,d decisions, %.1f%% fired a scene)%n",
                    decisions / (wall / 1e9), decisions / (cpu / 1e9), decisions, 100.0 * fired / decisions);
            System.out.printf(
                    "latency per decision: p50 %.2f µs, p99 %.2f µs, p99.9 %.2f µs, max %.1f µs%n",
                    lat[samples / 2] / 1e3,
                    lat[(int) (samples * 0.99)] / 1e3,
                    lat[(int) (samples * 0.999)] / 1e3,
                    lat[samples - 1] / 1e3);
            System.out.printf(
                    "allocation: %.1f bytes per decision (%.1f MB/s)%n",
                    (double) alloc / decisions, alloc / (wall / 1e9) / 1e6);
            System.out.printf(
                    "targets: >= 500,000 decisions/s on one core, p99 <= 100 µs: %s, %s%n",
                    decisions / (cpu / 1e9) >= 500_000 ? "met" : "NOT met",
                    lat[(int) (samples * 0.99)] <= 100_000 ? "met" : "NOT met");
        }
    }

    static String keyword(int scene, int k) {
        // ASCII words, some CJK, like real scripts.
        return (k % 5 == 4) ? "关键" + (char) ('一' + scene) + (char) ('一' + k) : "kw" + scene + "x" + k;
    }

    static String script() {
        StringBuilder y =
                new StringBuilder("script_id: bench\nversion: \"1\"\nvariables: {shop: \"Ana's shop\"}\nscenes:\n");
        for (int s = 0; s < 50; s++) {
            y.append("  - id: s").append(s).append("\n    triggers:\n      - type: keyword\n        keywords: [");
            for (int k = 0; k < 10; k++) {
                y.append(k == 0 ? "" : ", ").append('"').append(keyword(s, k)).append('"');
            }
            y.append("]\n");
            if (s % 5 == 2 || s % 5 == 3) { // 20 scenes with one regex each
                y.append("      - type: regex\n        pattern: \"(?i)\\\\border\\\\s*#?")
                        .append(s)
                        .append("-\\\\d{3,6}\\\\b\"\n");
            }
            y.append("    responses:\n");
            y.append("      - {template: \"Hi {{first_name}}, scene ").append(s).append(" at {{shop}}\", weight: 3}\n");
            y.append("      - {template: \"{{mention}} welcome to {{chat_title}}\", weight: 1}\n");
        }
        return y.toString();
    }

    static List<Event> events(SplittableRandom r, int count) {
        String[] vocabulary = new String[5_000];
        for (int i = 0; i < vocabulary.length; i++) {
            StringBuilder w = new StringBuilder();
            int len = 3 + r.nextInt(6);
            for (int c = 0; c < len; c++) {
                w.append((char) ('a' + r.nextInt(26)));
            }
            vocabulary[i] = i % 10 == 0 ? "大家" + w : w.toString();
        }
        List<Event> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder();
            int words = 8 + r.nextInt(7);
            for (int w = 0; w < words; w++) {
                text.append(w == 0 ? "" : " ").append(vocabulary[r.nextInt(vocabulary.length)]);
            }
            int roll = r.nextInt(100);
            if (roll < 10) {
                text.append(' ').append(keyword(r.nextInt(50), r.nextInt(10)));
            } else if (roll < 13) {
                int s = 5 * r.nextInt(10) + 2 + r.nextInt(2);
                text.append(" order #").append(s).append('-').append(1000 + r.nextInt(9000));
            }
            out.add(
                    i % 50 == 0
                            ? Event.newMember(-1001L, "Lobby", i, "Ana")
                            : new Event(
                                    Event.Type.MESSAGE,
                                    -1001L,
                                    "Lobby",
                                    i,
                                    "Ana",
                                    null,
                                    "ana",
                                    text.toString(),
                                    false,
                                    false));
        }
        return out;
    }
}
