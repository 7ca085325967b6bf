package io.groupai.fleet.registry;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

/**
 * What an operator declares about a server (REST body or one entry of master_config.json).
 * Secrets are not part of it: they travel separately as {@link SshSecret} and are stored encrypted.
 * Every value that later appears in a remote command is constrained here so it can never carry
 * shell syntax.
 */
public record ServerDefinition(
        @NotBlank(message = "node_id is required, e.g. \"worker-01\"")
        @Pattern(
                regexp = "[a-z0-9][a-z0-9._-]{0,62}",
                message =
                        "node_id must be 1-63 characters of lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
        String nodeId,

        @NotBlank(message = "host is required: the server's IP address or DNS name")
        @Pattern(
                regexp = "[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?|\\[?[0-9A-Fa-f:]+]?",
                message = "host must be an IP address or DNS name (letters, digits, '.', '-')")
        String host,

        @NotNull(message = "port is required (22 for SSH by default)")
        @Min(value = 1, message = "port must be between 1 and 65535")
        @Max(value = 65535, message = "port must be between 1 and 65535")
        Integer port,

        @NotBlank(message = "user is required: the SSH login user")
        @Pattern(regexp = "[a-z_][a-z0-9_-]{0,31}", message = "user must be a POSIX login name (e.g. ubuntu)")
        String user,

        @NotBlank(message = "deploy_dir is required, e.g. \"/home/ubuntu/groupai\"")
        @Pattern(
                regexp = "/(?!.*(^|/)\\.\\.(/|$))[A-Za-z0-9/_.-]*",
                message =
                        "deploy_dir must be an absolute path of letters, digits, '/', '_', '.', '-' only (no spaces, shell metacharacters or '..'), e.g. \"/home/ubuntu/groupai\"")
        String deployDir,

        @NotNull(message = "max_accounts is required: how many accounts this server may run")
        @Positive(message = "max_accounts must be greater than 0")
        Integer maxAccounts,

        @Pattern(
                regexp = "[A-Za-z0-9 _-]{1,64}",
                message = "location must be 1-64 letters, digits, spaces, '_' or '-', e.g. \"LosAngeles\"")
        String location,

        @NotNull(message = "weight is required (1.0 by default)")
        @Positive(message = "weight must be greater than 0 (1.0 is neutral)")
        Double weight,

        @Pattern(
                regexp = "balanced|round_robin|least_loaded|load_balance|location|affinity|isolation",
                message =
                        "allocation_strategy must be one of balanced, round_robin, least_loaded, load_balance, location, affinity, isolation")
        String allocationStrategy,

        @NotNull(message = "health_check_interval is required (seconds, 60 by default)")
        @Min(value = 5, message = "health_check_interval must be at least 5 seconds")
        @Max(value = 86400, message = "health_check_interval must be at most 86400 seconds")
        Integer healthCheckInterval,

        @NotBlank(message = "status is required: active, draining, disabled or down")
        @Pattern(
                regexp = "active|draining|disabled|down",
                message = "status must be one of active, draining, disabled, down")
        String status,

        // How bootstrap runs the agent there; null: the global groupai.nodes.service-mode (GROUPAI_NODE_SERVICE_MODE).
        @Pattern(
                regexp = "auto|systemd|pidfile",
                message =
                        "service_mode must be auto (a systemd unit where the server allows one, else a pid file), systemd or pidfile")
        String serviceMode) {

    /** Fills the seed's defaults (port 22, weight 1.0, 60 s health checks, active) for absent optional fields. */
    public ServerDefinition withDefaults() {
        return new ServerDefinition(
                nodeId,
                host,
                port == null ? 22 : port,
                user,
                deployDir,
                maxAccounts,
                location,
                weight == null ? 1.0 : weight,
                allocationStrategy,
                healthCheckInterval == null ? 60 : healthCheckInterval,
                status == null ? "active" : status,
                serviceMode);
    }
}
