package io.groupai.fleet.alerts;

import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * {@code disk_nearly_full} from what the probes measure (percent used of the file system that holds
 * a server's deploy dir): at or over {@code groupai.alerts.disk-nearly-full-percent} it is raised,
 * under it the open alert is resolved. Sessions and logs are written there, so a full disk stops
 * uploads and starts.
 */
@Component
public class DiskAlerts {

    private final AlertService alerts;
    private final AlertProperties properties;

    public DiskAlerts(AlertService alerts, AlertProperties properties) {
        this.alerts = alerts;
        this.properties = properties;
    }

    public void measured(String nodeId, double diskUsagePercent) {
        double threshold = properties.diskNearlyFullPercent();
        String usage = String.format(Locale.ROOT, "%.1f%%", diskUsagePercent);
        if (diskUsagePercent >= threshold) {
            alerts.raise(
                    AlertKind.DISK_NEARLY_FULL,
                    diskUsagePercent >= 98 ? AlertSeverity.CRITICAL : AlertSeverity.WARNING,
                    nodeId,
                    null,
                    "server " + nodeId + ": the deploy dir's disk is " + usage + " full (alert at "
                            + String.format(Locale.ROOT, "%.0f%%", threshold)
                            + "); uploads and account starts fail when it is full");
        } else {
            alerts.resolveOpen(AlertKind.DISK_NEARLY_FULL, nodeId, null, "disk " + usage + " full");
        }
    }
}
