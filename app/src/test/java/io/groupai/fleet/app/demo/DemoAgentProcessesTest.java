package io.groupai.fleet.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding and stopping the demo's agents through their pid files, with real processes standing in
 * for agents: their command lines name the node's deploy dir, as {@code java ... -jar
 * <deploy>/lib/worker-node.jar} does.
 */
class DemoAgentProcessesTest {

    @TempDir
    Path demoDir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void stopsTheAgentsItsPidFilesNameAndLeavesOtherProcessesAlone() throws Exception {
        Process agent = fakeAgent("worker-01", "");
        Process foreign = start(new ProcessBuilder("sleep", "300"));
        pidFile("manila", foreign.pid()); // a reused pid: not an agent of manila
        pidFile("los-angeles", Long.MAX_VALUE - 1); // a process long gone

        DemoAgentProcesses agents = new DemoAgentProcesses(demoDir, 10_000);
        assertThat(agents.running()).extracting(a -> a.process().pid()).containsExactly(agent.pid());
        assertThat(agents.stopAll("test")).isEqualTo(1);

        assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(foreign.isAlive())
                .as("a foreign process named by a pid file")
                .isTrue();
        for (String node : List.of("worker-01", "manila", "los-angeles")) {
            assertThat(demoDir.resolve(node).resolve(DemoAgentProcesses.PID_FILE))
                    .doesNotExist();
        }
        assertThat(agents.running()).isEmpty();
    }

    @Test
    void anAgentThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        Process stubborn = fakeAgent("manila", "trap '' TERM; ");
        assertThat(new DemoAgentProcesses(demoDir, 500).stopAll("test")).isEqualTo(1);
        assertThat(stubborn.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private Process fakeAgent(String node, String prelude) throws Exception {
        Path jar = Files.createDirectories(demoDir.resolve(node).resolve("deploy/lib"))
                .resolve("worker-node.jar");
        Process p = start(new ProcessBuilder(
                "/bin/sh", "-c", prelude + "while :; do sleep 1; done", "worker-node", jar.toString()));
        pidFile(node, p.pid());
        return p;
    }

    private void pidFile(String node, long pid) throws Exception {
        Path file = demoDir.resolve(node).resolve(DemoAgentProcesses.PID_FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, pid + "\n");
    }

    private Process start(ProcessBuilder pb) throws Exception {
        Process p = pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(p);
        return p;
    }
}
