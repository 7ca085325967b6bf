package io.groupai.fleet.reconcile;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Reconciliation between the database and the fleet ({@code groupai.reconcile}).
 *
 * @param scheduled       run the reconciler on a schedule (a Temporal Schedule on a full server, a cron
 *                        workflow on Temporal's Java test server)
 * @param every           how often; the Java test server's cron has whole minutes, so it rounds up to one
 * @param offset          how far after each multiple of {@code every} a scheduled run starts (modulo {@code every}):
 *                        the rebalance and the session backup fire on whole multiples (10 min, 03:00), so by
 *                        default a reconciliation does not start on their tick. It is correct either way.
 * @param maxOperationAge longest an operation may hold an account (allocating, migrating) before the
 *                        reconciler settles the row even though its workflow still runs
 * @param maxRestarts     restarts of an account its server does not run, before it is marked failed
 */
@Validated
@ConfigurationProperties("groupai.reconcile")
public record ReconcileProperties(
        @DefaultValue("true") boolean scheduled,
        @NotNull @DefaultValue("2m") Duration every,
        @NotNull @DefaultValue("1m") Duration offset,
        @NotNull @DefaultValue("30m") Duration maxOperationAge,
        @Min(0) @Max(100) @DefaultValue("3") int maxRestarts) {}
