package io.groupai.fleet.workflows.supervision;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** Control-plane activities of node supervision and failover, backed by the database. */
@ActivityInterface(namePrefix = "Supervision")
public interface SupervisionActivities {

    /** The server's lease and settings as the database has them now. */
    @ActivityMethod
    NodeCheck check(String nodeId);

    /**
     * Stores the supervisor's verdict on the server row and appends the event to its history; a
     * change to or from down is logged as an alert.
     */
    @ActivityMethod
    void record(String nodeId, HealthEvent event);

    /** Accounts the database assigns to the server and no operation holds, in id order. */
    @ActivityMethod
    List<String> accountsOn(String nodeId);

    /**
     * How long until the server counts as fenced: its lease expired at least {@code marginMillis}
     * ago on the control plane's clock (its agent has stopped its accounts). 0 when fenced now, also
     * when it never held a lease: an agent without a lease starts no account.
     */
    @ActivityMethod
    long millisUntilFenced(String nodeId, long marginMillis);
}
