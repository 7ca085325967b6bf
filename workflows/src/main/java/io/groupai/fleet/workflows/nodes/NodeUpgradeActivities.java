package io.groupai.fleet.workflows.nodes;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * What a rolling upgrade needs beyond bootstrap's install steps: keep the installed agent aside
 * before the new one replaces it, and put it back when the new one does not come up healthy.
 */
@ActivityInterface
public interface NodeUpgradeActivities {

    /**
     * Copies {@code <deploy_dir>/lib} and {@code /bin} to {@code lib.previous} and {@code bin.previous}, and the
     * Java runtime to {@code runtime.previous} (hard links), replacing an older copy. Returns what was kept, e.g.
     * "lib (2 files), bin (1 file), runtime 3f9c0a1b2c3d".
     */
    @ActivityMethod
    String keepPreviousDistribution(String nodeId);

    /** Puts {@code lib.previous}, {@code bin.previous} and {@code runtime.previous} back; a failure when nothing is kept. */
    @ActivityMethod
    String restorePreviousDistribution(String nodeId);
}
