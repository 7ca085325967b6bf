package io.groupai.fleet.app.backups;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Session backups ({@code groupai.session-backups}): the sessions of running accounts exported from their
 * nodes into the control plane's session store (encrypted), the last {@code keep} kept per account.
 *
 * @param scheduled   run backups on a schedule (a Temporal Schedule on a full server, a cron workflow on
 *                    Temporal's Java test server); they also run on demand
 * @param cron        when, as a cron expression in UTC (default 03:00 every day): each backup stops an account
 *                    for the seconds its export takes, so a quiet hour suits it
 * @param keep        backups kept per account
 * @param parallelism accounts backed up at once
 */
@Validated
@ConfigurationProperties("groupai.session-backups")
public record SessionBackupProperties(
        @DefaultValue("true") boolean scheduled,
        @NotBlank @DefaultValue("0 3 * * *") String cron,
        @Min(1) @Max(100) @DefaultValue("3") int keep,
        @Min(1) @Max(64) @DefaultValue("4") int parallelism) {}
