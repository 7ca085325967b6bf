package io.groupai.fleet.nodes.ssh;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link NodeServiceInstaller#detect} found on a server, and the choice of a {@link NodeService}.
 *
 * @param systemdRuntimeDir where systemd marks that it runs ({@code /run/systemd/system})
 * @param systemdRunning    that directory exists: systemd is the init system and is running
 * @param systemctl         {@code systemctl} is on the PATH
 * @param user              the SSH user
 * @param privilege         {@code root}, {@code sudo} (passwordless {@code sudo -n}) or {@code none}
 * @param linger            lingering is enabled for the user (its manager outlives its sessions)
 * @param userManager       {@code systemctl --user} reaches the user's manager
 * @param systemUnit        the node's system unit file exists
 * @param userUnit          the node's user unit file exists
 * @param pidFileAgent      the live process the pid file names, or null
 * @param systemUnitPid     the system unit's MainPID while active, or null
 * @param userUnitPid       the user unit's MainPID while active, or null
 * @param userUnitDir       where the user's units live ({@code ~/.config/systemd/user})
 */
public record ServiceDetection(
        String systemdRuntimeDir,
        boolean systemdRunning,
        boolean systemctl,
        String user,
        String privilege,
        boolean linger,
        boolean userManager,
        boolean systemUnit,
        boolean userUnit,
        Long pidFileAgent,
        Long systemUnitPid,
        Long userUnitPid,
        String userUnitDir) {

    /** The mode to install, and why (for the bootstrap step); {@code service} is null when none fits. */
    public record Choice(NodeService service, String why) {}

    /**
     * @param requested {@code auto} (systemd where it can be installed, else pid file), {@code systemd}
     *                  (a unit or nothing) or {@code pidfile}
     */
    public Choice choose(String requested) {
        if ("pidfile".equals(requested)) {
            return new Choice(NodeService.PIDFILE, "service_mode pidfile");
        }
        List<String> missing = new ArrayList<>();
        if (!systemdRunning) {
            missing.add("systemd is not running here (no " + systemdRuntimeDir + ")");
        } else if (!systemctl) {
            missing.add("systemctl is not installed");
        } else if ("root".equals(privilege) || "sudo".equals(privilege)) {
            return new Choice(
                    NodeService.SYSTEMD,
                    "root".equals(privilege) ? "installed as root" : "installed through sudo -n by " + user);
        } else if (linger && userManager) {
            return new Choice(
                    NodeService.SYSTEMD_USER,
                    "a user unit of " + user + " (not root, no passwordless sudo; lingering is on)");
        } else {
            missing.add("user " + user + " cannot install a system unit (not root, and `sudo -n true` fails)");
            missing.add(
                    linger
                            ? "the systemd user manager of " + user + " does not answer (systemctl --user)"
                            : "lingering is off for " + user + ", so a user unit would stop at logout"
                                    + " (loginctl enable-linger " + user + ")");
        }
        String why = String.join("; ", missing);
        return "systemd".equals(requested) ? new Choice(null, why) : new Choice(NodeService.PIDFILE, why);
    }

    static ServiceDetection parse(String systemdRuntimeDir, String output) {
        Map<String, String> v = new HashMap<>();
        output.lines().forEach(line -> {
            int eq = line.indexOf('=');
            if (eq > 0) {
                v.putIfAbsent(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        });
        return new ServiceDetection(
                systemdRuntimeDir,
                "1".equals(v.get("systemd_running")),
                "1".equals(v.get("systemctl")),
                v.getOrDefault("user", "?"),
                v.getOrDefault("privilege", "none"),
                "1".equals(v.get("linger")),
                "1".equals(v.get("user_manager")),
                "1".equals(v.get("system_unit")),
                "1".equals(v.get("user_unit")),
                pid(v.get("pidfile_pid")),
                pid(v.get("system_unit_pid")),
                pid(v.get("user_unit_pid")),
                v.get("user_unit_dir"));
    }

    private static Long pid(String value) {
        return value != null && value.matches("\\d{1,18}") ? Long.valueOf(value) : null;
    }
}
