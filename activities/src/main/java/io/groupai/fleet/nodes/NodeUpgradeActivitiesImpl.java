package io.groupai.fleet.nodes;

import io.groupai.fleet.nodes.ssh.CommandResult;
import io.groupai.fleet.nodes.ssh.RemoteShell;
import io.groupai.fleet.nodes.ssh.ShellQuote;
import io.groupai.fleet.nodes.ssh.SshException;
import io.groupai.fleet.nodes.ssh.SshTarget;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.nodes.NodeUpgradeActivities;
import io.temporal.failure.ApplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps and restores the installed agent ({@code lib/} and {@code bin/} under the deploy dir) around
 * a rolling upgrade. Copies, not moves: the running agent keeps using its files until it restarts.
 */
@Component("nodeUpgradeActivities")
public class NodeUpgradeActivitiesImpl implements NodeUpgradeActivities {

    private static final Logger log = LoggerFactory.getLogger(NodeUpgradeActivitiesImpl.class);

    private final NodeTargets targets;
    private final RemoteShell shell;

    public NodeUpgradeActivitiesImpl(NodeTargets targets, RemoteShell shell) {
        this.targets = targets;
        this.shell = shell;
    }

    @Override
    public String keepPreviousDistribution(String nodeId) {
        SshTarget target = targets.of(nodeId);
        String script = "d=" + ShellQuote.quote(target.deployDir()) + "\n" + """
                cd "$d" || exit 3
                [ -d lib ] && [ -d bin ] || { echo "no installed agent under $d (lib/, bin/): bootstrap it first" >&2; exit 4; }
                rm -rf lib.previous.tmp bin.previous.tmp runtime.previous.tmp
                cp -a lib lib.previous.tmp && cp -a bin bin.previous.tmp || exit 5
                # Hard links: a runtime install never writes into runtime/ (it swaps a new directory in), so the
                # kept copy costs no space until a new runtime replaces it.
                if [ -d runtime ]; then cp -al runtime runtime.previous.tmp || exit 5; fi
                rm -rf lib.previous bin.previous runtime.previous
                mv lib.previous.tmp lib.previous && mv bin.previous.tmp bin.previous || exit 5
                if [ -d runtime.previous.tmp ]; then mv runtime.previous.tmp runtime.previous || exit 5; fi
                echo "kept lib ($(ls lib.previous | wc -l) files), bin ($(ls bin.previous | wc -l) files)$([ -d runtime.previous ] && echo ", runtime $(cat runtime.previous/.release-id 2>/dev/null | cut -c1-12)")"
                """;
        return run(nodeId, target, "keep the previous agent", script);
    }

    @Override
    public String restorePreviousDistribution(String nodeId) {
        SshTarget target = targets.of(nodeId);
        String script = "d=" + ShellQuote.quote(target.deployDir()) + "\n" + """
                cd "$d" || exit 3
                [ -d lib.previous ] && [ -d bin.previous ] || { echo "no previous agent kept under $d" >&2; exit 4; }
                rm -rf lib.failed bin.failed runtime.failed
                mv lib lib.failed && mv bin bin.failed || exit 5
                mv lib.previous lib && mv bin.previous bin || exit 6
                runtime=
                if [ -d runtime.previous ]; then
                  if [ -d runtime ]; then mv runtime runtime.failed || exit 5; fi
                  mv runtime.previous runtime || exit 6
                  runtime=", runtime $(cat runtime/.release-id 2>/dev/null | cut -c1-12)"
                fi
                rm -rf lib.failed bin.failed runtime.failed
                echo "restored lib ($(ls lib | wc -l) files), bin ($(ls bin | wc -l) files)$runtime"
                """;
        return run(nodeId, target, "roll back", script);
    }

    private String run(String nodeId, SshTarget target, String step, String script) {
        try {
            CommandResult r = shell.exec(target, step, script, null);
            if (r.exitCode() != 0) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "server " + nodeId + ", step " + step + ": "
                                + r.stderr().strip(),
                        FailureTypes.NON_RETRYABLE_NODE_FAILURE);
            }
            log.info("server {}: {}: {}", nodeId, step, r.stdout().strip());
            return r.stdout().strip();
        } catch (SshException e) {
            throw SshFailures.toTemporal(e);
        }
    }
}
