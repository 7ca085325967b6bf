package io.groupai.fleet.app.servers;

import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.ServerDefinition;
import io.groupai.fleet.registry.ServerRegistry.ServerInput;
import io.groupai.fleet.registry.SshSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads one server entry in the seed's master_config.json format (the same shape is the REST
 * body), with precise problems per field. Strings may hold {@code ${ENV_VAR}} references, meant
 * for secrets; an unset variable is an error, never an empty value. What a reference may reach
 * depends on where the input comes from ({@link Variables}); no problem ever quotes a value that
 * came from one. {@code private_key_file} names a file in the keys directory, nowhere else.
 */
final class ServerJson {

    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /** The fields whose values are secrets: never echoed, and the only ones a REST body may fill from a variable. */
    static final Set<String> SECRET_FIELDS = Set.of("password", "private_key", "private_key_passphrase", "node_token");
    /** An SSH private key file is a few KiB; anything much larger is not one. */
    private static final long MAX_KEY_FILE_BYTES = 64 * 1024;

    /**
     * Which {@code ${VAR}} references resolve.
     *
     * @param prefixes          variables that may be read, by prefix
     * @param secretFieldsOnly  references only in {@link #SECRET_FIELDS}
     * @param any               every variable may be read (the start-up import)
     */
    record Variables(List<String> prefixes, boolean secretFieldsOnly, boolean any) {
        /** The start-up import (GROUPAI_MASTER_CONFIG): a file the operator of the machine wrote. */
        static final Variables ANY = new Variables(List.of(), false, true);

        /** A REST body: only allow-listed variables (none when the list is empty), only in secret fields. */
        static Variables rest(List<String> prefixes) {
            return new Variables(prefixes.stream().filter(p -> !p.isBlank()).toList(), true, false);
        }

        boolean allows(String name) {
            return any || prefixes.stream().anyMatch(name::startsWith);
        }
    }

    private final Function<String, String> env;
    private final Variables variables;
    private final Path keysDir;
    /** Fields (with prefix) whose value came from a variable in the entry being read. */
    private final Set<String> fromVariables = new HashSet<>();

    ServerJson(Function<String, String> env, Variables variables, Path keysDir) {
        this.env = env;
        this.variables = variables;
        this.keysDir = keysDir.toAbsolutePath().normalize();
    }

    /** A reader for one request or one import (it remembers which fields came from variables). */
    ServerJson fresh() {
        return new ServerJson(env, variables, keysDir);
    }

    /**
     * Problems as they may be shown: a problem on a field whose value came from a variable does not
     * quote the message (which may contain the value), only which field and that it is invalid.
     */
    List<FieldProblem> redacted(List<FieldProblem> problems) {
        return problems.stream()
                .map(p -> fromVariables.contains(p.field())
                        ? new FieldProblem(
                                p.field(),
                                "the value its ${...} reference gave is not valid for this field"
                                        + " (not shown: it came from the environment); check the variable")
                        : p)
                .toList();
    }

    /**
     * @param expectedNodeId the map key in master_config.json (or the path id), or null
     * @return the input as far as it could be read (fields with problems are null), or null when
     *         the entry is not an object at all
     */
    ServerInput read(JsonNode entry, String prefix, String expectedNodeId, List<FieldProblem> problems) {
        if (entry == null || !entry.isObject()) {
            problems.add(new FieldProblem(
                    prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1),
                    "must be a JSON object describing a server (host, user, deploy_dir, max_accounts, ...)"));
            return null;
        }
        Reader r = new Reader(entry, prefix, problems);
        String nodeId = r.string("node_id");
        if (nodeId == null) {
            nodeId = expectedNodeId;
        } else if (expectedNodeId != null && !expectedNodeId.equals(nodeId)) {
            // Not echoed: the value may have come from a ${VAR} of the app's environment.
            problems.add(new FieldProblem(
                    prefix + "node_id", "node_id differs from its key '" + expectedNodeId + "'; make them equal"));
        }
        ServerDefinition definition = new ServerDefinition(
                nodeId,
                r.string("host"),
                r.integer("port"),
                r.string("user"),
                r.string("deploy_dir"),
                r.integer("max_accounts"),
                r.string("location"),
                r.number("weight"),
                r.string("allocation_strategy"),
                r.integer("health_check_interval"),
                r.string("status"),
                r.string("service_mode"));
        SshSecret secret = secret(r, prefix, problems);
        return new ServerInput(definition, secret, r.string("node_token"), r.string("host_key_fingerprint"));
    }

    private SshSecret secret(Reader r, String prefix, List<FieldProblem> problems) {
        String password = r.string("password");
        String inlineKey = r.string("private_key");
        String keyFile = r.string("private_key_file");
        String passphrase = r.string("private_key_passphrase");
        if (inlineKey != null && keyFile != null) {
            problems.add(
                    new FieldProblem(prefix + "private_key", "give either private_key or private_key_file, not both"));
            return null;
        }
        if (keyFile != null) {
            inlineKey = readKeyFile(keyFile, prefix + "private_key_file", problems);
            if (inlineKey == null) {
                return null;
            }
        }
        if (inlineKey != null) {
            if (!inlineKey.contains("PRIVATE KEY-----")) {
                problems.add(new FieldProblem(
                        prefix + (keyFile != null ? "private_key_file" : "private_key"),
                        "is not a PEM/OpenSSH private key (no '-----BEGIN ... PRIVATE KEY-----' block)"));
                return null;
            }
            return new SshSecret.PrivateKey(inlineKey, passphrase);
        }
        return password == null ? null : new SshSecret.Password(password);
    }

    /**
     * The key file's content, read only inside the keys directory: a relative name is taken from
     * there, an absolute path must lie in it, and neither may leave it through '..' or a symbolic link.
     * Problems never quote the path (it may have come from a variable).
     */
    private String readKeyFile(String name, String field, List<FieldProblem> problems) {
        String where = "private_key_file names a file inside the keys directory " + keysDir
                + " (groupai.security.keys-dir, GROUPAI_KEYS_DIR)";
        Path path;
        try {
            path = keysDir.resolve(name).normalize();
        } catch (RuntimeException e) {
            problems.add(new FieldProblem(field, "is not a valid file name; " + where));
            return null;
        }
        if (!path.startsWith(keysDir) || path.equals(keysDir)) {
            problems.add(new FieldProblem(field, "is outside the keys directory; " + where + ": copy the key there"));
            return null;
        }
        try {
            Path real = path.toRealPath();
            if (!real.startsWith(keysDir.toRealPath())) {
                problems.add(new FieldProblem(field, "leads outside the keys directory (a link); " + where));
                return null;
            }
            if (!Files.isRegularFile(real) || Files.size(real) > MAX_KEY_FILE_BYTES) {
                problems.add(new FieldProblem(field, "is not a key file (not a regular file of at most 64 KiB)"));
                return null;
            }
            return Files.readString(real);
        } catch (IOException | RuntimeException e) {
            String why = e instanceof java.nio.file.NoSuchFileException
                    ? "there is no such file"
                    : e instanceof java.nio.file.AccessDeniedException
                            ? "the app may not read it"
                            : "it cannot be read";
            problems.add(new FieldProblem(
                    field,
                    "cannot read that key file (" + why + "); " + where
                            + ", readable by the app, holding an OpenSSH/PEM private key"));
            return null;
        }
    }

    /** Resolves every ${VAR} in a string value, as far as {@link Variables} allows. */
    String resolve(String raw, String name, String field, List<FieldProblem> problems) {
        Matcher m = ENV_REF.matcher(raw);
        StringBuilder out = new StringBuilder();
        boolean ok = true;
        boolean resolvedAny = false;
        while (m.find()) {
            String variable = m.group(1).length() > 64 ? m.group(1).substring(0, 64) + "..." : m.group(1);
            if (variables.secretFieldsOnly() && !SECRET_FIELDS.contains(name)) {
                problems.add(new FieldProblem(
                        field,
                        "${" + variable + "} is not resolved here: over the API only the secret fields ("
                                + String.join(
                                        ", ", SECRET_FIELDS.stream().sorted().toList())
                                + ") may reference variables; write the value itself"));
                return null;
            }
            if (!variables.allows(m.group(1))) {
                problems.add(new FieldProblem(
                        field,
                        "${" + variable + "} is not resolved over the API: only variables starting with "
                                + (variables.prefixes().isEmpty()
                                        ? "(none configured)"
                                        : String.join(" or ", variables.prefixes()))
                                + " are (groupai.security.rest-variable-prefixes); write the value itself, or put"
                                + " the file in GROUPAI_MASTER_CONFIG to import it at start-up"));
                return null;
            }
            String value = env.apply(m.group(1));
            if (value == null) {
                problems.add(new FieldProblem(
                        field,
                        "environment variable " + variable
                                + " is not set; export it before starting (or importing), or write the value in place of ${"
                                + variable + "}"));
                ok = false;
                value = "";
            } else {
                resolvedAny = true;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        if (ok && resolvedAny) {
            fromVariables.add(field);
        }
        return ok ? out.toString() : null;
    }

    /** Typed field access that reports wrong types instead of guessing. */
    private final class Reader {
        private final JsonNode node;
        private final String prefix;
        private final List<FieldProblem> problems;

        Reader(JsonNode node, String prefix, List<FieldProblem> problems) {
            this.node = node;
            this.prefix = prefix;
            this.problems = problems;
        }

        String string(String name) {
            JsonNode value = node.get(name);
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isString()) {
                problems.add(new FieldProblem(prefix + name, "must be a string"));
                return null;
            }
            return resolve(value.stringValue(), name, prefix + name, problems);
        }

        Integer integer(String name) {
            JsonNode value = node.get(name);
            if (value == null || value.isNull()) {
                return null;
            }
            if (value.isIntegralNumber() && value.canConvertToInt()) {
                return value.intValue();
            }
            String text = value.isString() ? string(name) : null;
            if (text != null && text.matches("-?\\d{1,9}")) {
                return Integer.parseInt(text);
            }
            problems.add(new FieldProblem(prefix + name, "must be a whole number"));
            return null;
        }

        Double number(String name) {
            JsonNode value = node.get(name);
            if (value == null || value.isNull()) {
                return null;
            }
            if (value.isNumber()) {
                return value.doubleValue();
            }
            String text = value.isString() ? string(name) : null;
            if (text != null && text.matches("-?\\d+(\\.\\d+)?")) {
                return Double.parseDouble(text);
            }
            problems.add(new FieldProblem(prefix + name, "must be a number"));
            return null;
        }
    }
}
