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
     * Copies {@code <deploy_dir>/lib} and {@code /bin} to {@code lib.previous} and {@code bin.previous}
     * (replacing an older copy). Returns what was kept, e.g. "lib (2 files), bin (1 file)".
     */
    @ActivityMethod
    String keepPreviousDistribution(String nodeId);

    /** Puts {@code lib.previous} and {@code bin.previous} back; a failure when there is nothing kept. */
    @ActivityMethod
    String restorePreviousDistribution(String nodeId);
}
