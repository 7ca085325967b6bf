package io.groupai.fleet.workflows.nodes;

/**
 * How bootstrap set a node's agent up to run: {@code mode} is {@code systemd} (a system unit),
 * {@code systemd-user} (a unit of the SSH user's manager) or {@code pidfile}; {@code unitPath} is the
 * unit file (null in pid-file mode); {@code detail} says what was done and why this mode.
 */
public record InstalledService(String mode, String unitPath, String detail) {}
