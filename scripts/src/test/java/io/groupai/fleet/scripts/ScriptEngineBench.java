package io.groupai.fleet.scripts;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * JMH benchmark of engine decisions on a 50-scene script with 500 keywords and 20 regexes, on one
 * thread: throughput (messages/s), the latency distribution per decision (SampleTime: p50/p99/p99.9)
 * and, with {@code -prof gc}, the bytes allocated per decision. Messages are 8-14 words from a
 * 5,000-word vocabulary; 10% contain a keyword, 3% match a regex, 2% are new members; 1,000 groups.
 * A JMH benchmark, not a test: surefire never runs it. {@link #main} runs both modes with the GC
 * profiler in one fork and prints a summary against the targets (≥ 500,000 messages/s, p99 ≤ 100 µs).
 *
 * <pre>
 * ./mvnw -q -pl scripts test-compile
 * taskset -c 0 ./mvnw -q -pl scripts exec:exec -Dbench=scripts -Dexec.classpathScope=test \
 *     -Dexec.executable=java -Dexec.args="-cp %classpath io.groupai.fleet.scripts.ScriptEngineBench"
 * </pre>
 * The forked JVM inherits the CPU affinity, so {@code taskset -c 0} pins the measurement to one core.
 * Arguments to {@code main}: measurement seconds per iteration (default 5).
 */
@State(Scope.Thread)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 5)
public class ScriptEngineBench {

    private ScriptEngine engine;
    private Event[] events;
    private ChatState[] groups;
    private SplittableRandom random;
    private int next;
    private long ops;
    private long cpuAtStart;

    /** Where the fork appends each iteration's decisions and CPU time (the host sums them per mode). */
    private static final String CPU_FILE = System.getProperty("bench.cpu.file");

    @Setup(Level.Iteration)
    public void startIteration() {
        ops = 0;
        cpuAtStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /**
     * Decisions per CPU-second of the benchmark thread: what one core sustains, whatever else loads the
     * machine (JMH's throughput is per wall-clock second, i.e. the share of the core this thread got).
     */
    @TearDown(Level.Iteration)
    public void endIteration(BenchmarkParams params) throws java.io.IOException {
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuAtStart;
        if (CPU_FILE != null && cpu > 0) {
            java.nio.file.Files.writeString(
                    java.nio.file.Path.of(CPU_FILE),
                    params.getMode() + " " + ops + " " + cpu + "\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    @Setup
    public void setUp() {
        random = new SplittableRandom(7);
        engine = new ScriptEngine(ScriptParser.parse(script()));
        events = events(random, 20_000).toArray(Event[]::new);
        groups = new ChatState[1_000];
        Arrays.setAll(groups, i -> new ChatState());
    }

    /** One decision: which scene the next message fires in its group, and what is said. Messages/s. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Optional<Decision> decide() {
        return next();
    }

    /** The same decision, each one timed (JMH samples them): the latency distribution in µs. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Optional<Decision> decideLatency() {
        return next();
    }

    private Optional<Decision> next() {
        int i = next++;
        ops++;
        if (next == events.length) {
            next = 0;
        }
        return engine.decide(groups[i % groups.length], events[i], i, random);
    }

    public static void main(String[] args) throws RunnerException, java.io.IOException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        java.nio.file.Path cpuFile = java.nio.file.Files.createTempFile("script-engine-bench", ".cpu");
        long t0 = System.nanoTime();
        new ScriptEngine(ScriptParser.parse(script()));
        System.out.printf(
                "script: %d bytes, 50 scenes, 500 keywords, 20 regexes; parsed and compiled in %.1f ms%n",
                script().length(), (System.nanoTime() - t0) / 1e6);
        Options options = new OptionsBuilder()
                .include(ScriptEngineBench.class.getName() + ".decide.*")
                .measurementTime(TimeValue.seconds(seconds))
                .addProfiler(GCProfiler.class)
                .jvmArgsAppend("-Dbench.cpu.file=" + cpuFile)
                .build();
        System.out.printf("load average before: %s%n", loadAverage());
        Collection<RunResult> results = new Runner(options).run();
        System.out.printf("load average after: %s%n", loadAverage());
        // Measurement iterations only: the last 5 lines of each mode (warm-up iterations come first).
        Map<String, List<long[]>> cpu = new java.util.TreeMap<>();
        for (String line : java.nio.file.Files.readAllLines(cpuFile)) {
            String[] f = line.split(" ");
            cpu.computeIfAbsent(f[0], k -> new ArrayList<>())
                    .add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
        }
        java.nio.file.Files.deleteIfExists(cpuFile);
        cpu.forEach((mode, its) -> {
            List<long[]> measured = its.subList(Math.max(0, its.size() - 5), its.size());
            long n = measured.stream().mapToLong(a -> a[0]).sum();
            long nanos = measured.stream().mapToLong(a -> a[1]).sum();
            System.out.printf(
                    "%s: %,.0f decisions per CPU-second of the benchmark thread (%,d decisions in %.1f s CPU)%n",
                    mode, n / (nanos / 1e9), n, nanos / 1e9);
        });
        for (RunResult r : results) {
            Result<?> primary = r.getPrimaryResult();
            Mode mode = r.getParams().getMode();
            Result<?> allocPerOp = r.getSecondaryResults().get("gc.alloc.rate.norm");
            String alloc = allocPerOp == null ? "n/a" : String.format("%.1f bytes", allocPerOp.getScore());
            if (mode == Mode.Throughput) {
                double perSecond = primary.getScore();
                System.out.printf(
                        "throughput: %,.0f messages/s on one thread (± %,.0f); allocation %s per decision -> %s%n",
                        perSecond,
                        primary.getScoreError(),
                        alloc,
                        perSecond >= 500_000 ? "target >= 500,000/s met" : "target >= 500,000/s NOT met");
            } else if (mode == Mode.SampleTime) {
                Statistics st = primary.getStatistics();
                double p99us = st.getPercentile(99);
                System.out.printf(
                        "latency per decision: p50 %.2f µs, p99 %.2f µs, p99.9 %.2f µs, p99.99 %.1f µs"
                                + " (%,d samples); allocation %s per decision -> %s%n",
                        st.getPercentile(50),
                        p99us,
                        st.getPercentile(99.9),
                        st.getPercentile(99.99),
                        st.getN(),
                        alloc,
                        p99us <= 100 ? "target p99 <= 100 µs met" : "target p99 <= 100 µs NOT met");
            }
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .strip();
        } catch (java.io.IOException e) {
            return "unknown";
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
