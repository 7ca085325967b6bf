package io.groupai.fleet.registry;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Registers, changes and removes servers. Validates everything before writing anything, and
 * writes a server row and its encrypted secret in one transaction.
 */
@Service
public class ServerRegistry {

    private static final Logger log = LoggerFactory.getLogger(ServerRegistry.class);

    /**
     * A server definition with the secrets that came with it: the SSH secret and the token the
     * node authenticates its heartbeats with (each null: keep the stored one).
     */
    public record ServerInput(
            ServerDefinition definition, SshSecret secret, String nodeToken, String hostKeyFingerprint) {

        public ServerInput(ServerDefinition definition, SshSecret secret, String nodeToken) {
            this(definition, secret, nodeToken, null);
        }

        public ServerInput(ServerDefinition definition, SshSecret secret) {
            this(definition, secret, null);
        }

        @Override
        public String toString() {
            return "ServerInput[" + definition + ", secrets redacted]";
        }
    }

    /** Node tokens are long random strings; this keeps them out of shell and URL trouble. */
    private static final java.util.regex.Pattern NODE_TOKEN =
            java.util.regex.Pattern.compile("[A-Za-z0-9._~+/=-]{24,256}");

    private final ServerRepository servers;
    private final AccountRepository accounts;
    private final CredentialStore credentials;
    private final FleetSettingsRepository settings;
    private final NodeTokenStore tokens;
    private final Validator validator;
    private final ApplicationEventPublisher events;
    private final PlacementCounts counts;

    public ServerRegistry(
            ServerRepository servers,
            AccountRepository accounts,
            CredentialStore credentials,
            FleetSettingsRepository settings,
            NodeTokenStore tokens,
            Validator validator,
            ApplicationEventPublisher events,
            PlacementCounts counts) {
        this.servers = servers;
        this.accounts = accounts;
        this.credentials = credentials;
        this.settings = settings;
        this.tokens = tokens;
        this.validator = validator;
        this.events = events;
        this.counts = counts;
    }

    @Transactional
    public ServerRecord create(ServerInput input) {
        ServerDefinition d = validated(input, "");
        if (servers.exists(d.nodeId())) {
            throw new InvalidInputException(
                    "node_id",
                    "a server with node_id '" + d.nodeId()
                            + "' already exists; choose another node_id or change it with PUT /api/v1/group-ai/servers/"
                            + d.nodeId());
        }
        write(d, input, false);
        log.info("registered server {} ({}:{}, max {} accounts)", d.nodeId(), d.host(), d.port(), d.maxAccounts());
        return servers.get(d.nodeId());
    }

    @Transactional
    public ServerRecord update(String nodeId, ServerInput input) {
        ServerDefinition d = validated(input, "");
        if (!nodeId.equals(d.nodeId())) {
            throw new InvalidInputException(
                    "node_id",
                    "node_id in the body ('" + d.nodeId() + "') differs from the path ('" + nodeId
                            + "'); a server cannot be renamed, register a new one instead");
        }
        servers.get(nodeId);
        int assigned = accounts.countCommittedTo(nodeId);
        if (d.maxAccounts() < assigned) {
            throw new ConflictException(
                    "server " + nodeId + " runs " + assigned + " accounts; max_accounts " + d.maxAccounts()
                            + " would put it over capacity. Move accounts away first (POST /api/v1/group-ai/accounts/rebalance)");
        }
        write(d, input, true);
        log.info("updated server {}", nodeId);
        return servers.get(nodeId);
    }

    @Transactional
    public void delete(String nodeId) {
        servers.get(nodeId);
        int assigned = accounts.countOnServer(nodeId);
        if (assigned > 0) {
            throw new ConflictException(
                    "server " + nodeId + " still holds " + assigned + " accounts; set its status to "
                            + "'draining' and move them (POST /api/v1/group-ai/accounts/rebalance) before deleting it");
        }
        servers.delete(nodeId);
        tokens.forget(nodeId);
        counts.forget(nodeId);
        events.publishEvent(new ServerChangedEvent(nodeId));
        log.info("deleted server {}", nodeId);
    }

    /**
     * Creates or updates every server of an import in one transaction: either all are written or,
     * on any problem with any of them, none. Problems of all entries are reported together.
     */
    @Transactional
    public List<ServerRecord> importAll(List<ServerInput> inputs, Map<String, String> allocationSettings) {
        List<FieldProblem> problems = new ArrayList<>();
        List<ServerDefinition> valid = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ServerInput input : inputs) {
            String prefix = "servers."
                    + (input.definition().nodeId() == null
                            ? "?"
                            : input.definition().nodeId()) + ".";
            ServerDefinition d = input.definition().withDefaults();
            List<FieldProblem> own = validate(input, prefix);
            problems.addAll(own);
            if (d.nodeId() != null && !seen.add(d.nodeId())) {
                problems.add(new FieldProblem(
                        prefix + "node_id",
                        "node_id '" + d.nodeId() + "' appears twice in the import; node ids must be unique"));
            }
            if (own.isEmpty()
                    && servers.exists(d.nodeId())
                    && d.maxAccounts() < accounts.countCommittedTo(d.nodeId())) {
                problems.add(new FieldProblem(
                        prefix + "max_accounts",
                        "server " + d.nodeId() + " already holds " + accounts.countCommittedTo(d.nodeId())
                                + " accounts; max_accounts cannot be lower than that"));
            }
            valid.add(d);
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        for (int i = 0; i < inputs.size(); i++) {
            ServerDefinition d = valid.get(i);
            write(d, inputs.get(i), servers.exists(d.nodeId()));
        }
        allocationSettings.forEach((name, value) -> settings.put("allocation." + name, value));
        log.info(
                "imported {} servers: {}",
                valid.size(),
                valid.stream().map(ServerDefinition::nodeId).toList());
        return valid.stream().map(d -> servers.get(d.nodeId())).toList();
    }

    @Transactional
    public void clearHostKey(String nodeId) {
        if (servers.clearHostKey(nodeId) == 0) {
            throw NotFoundException.server(nodeId);
        }
        events.publishEvent(new ServerChangedEvent(nodeId));
        log.info("cleared the pinned host key of {}; the next connection pins the key it presents", nodeId);
    }

    private void write(ServerDefinition d, ServerInput input, boolean exists) {
        SshSecret secret = input.secret();
        String credentialRef =
                secret != null ? "db" : exists ? servers.get(d.nodeId()).credentialRef() : "none";
        if (exists) {
            servers.update(d, credentialRef);
        } else {
            servers.insert(d, credentialRef);
        }
        if (secret != null) {
            credentials.save(d.nodeId(), secret);
        }
        if (input.nodeToken() != null) {
            tokens.save(d.nodeId(), input.nodeToken());
        }
        if (input.hostKeyFingerprint() != null) {
            // Checked before the first pin; an existing pin still decides (clear it to re-pin).
            servers.setExpectedHostKey(d.nodeId(), input.hostKeyFingerprint());
        }
        // Also for a new server: its node supervisor starts on it.
        events.publishEvent(new ServerChangedEvent(d.nodeId()));
    }

    private ServerDefinition validated(ServerInput input, String prefix) {
        ServerDefinition d = input.definition().withDefaults();
        List<FieldProblem> problems = validate(input, prefix);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return d;
    }

    /** Every problem of an input (defaults applied first), with field names under {@code prefix}. */
    public List<FieldProblem> validate(ServerInput input, String prefix) {
        List<FieldProblem> problems =
                new ArrayList<>(problemsOf(input.definition().withDefaults(), prefix));
        if (input.nodeToken() != null && !NODE_TOKEN.matcher(input.nodeToken()).matches()) {
            problems.add(new FieldProblem(
                    prefix + "node_token",
                    "must be 24-256 characters of letters, digits or ._~+/=- " + "(e.g. `openssl rand -base64 32`)"));
        }
        if (input.hostKeyFingerprint() != null
                && !HOST_KEY_FINGERPRINT.matcher(input.hostKeyFingerprint()).matches()) {
            problems.add(new FieldProblem(
                    prefix + "host_key_fingerprint",
                    "must be an SSH SHA-256 fingerprint as `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints it, "
                            + "e.g. SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"));
        }
        return problems;
    }

    private static final java.util.regex.Pattern HOST_KEY_FINGERPRINT =
            java.util.regex.Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");

    private List<FieldProblem> problemsOf(ServerDefinition d, String prefix) {
        return validator.validate(d).stream()
                .map((ConstraintViolation<ServerDefinition> v) ->
                        new FieldProblem(prefix + snake(v.getPropertyPath().toString()), v.getMessage()))
                .sorted(Comparator.comparing(FieldProblem::field))
                .toList();
    }

    /** Field names in errors are the JSON names the operator wrote (snake_case). */
    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
