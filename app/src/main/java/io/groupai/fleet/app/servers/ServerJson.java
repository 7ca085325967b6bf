package io.groupai.fleet.app.servers;

import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.ServerDefinition;
import io.groupai.fleet.registry.ServerRegistry.ServerInput;
import io.groupai.fleet.registry.SshSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads one server entry in the seed's master_config.json format (the same shape is the REST
 * body), with precise problems per field. Strings may hold {@code ${ENV_VAR}} references, meant
 * for secrets; an unset variable is an error, never an empty value.
 */
final class ServerJson {

    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final Function<String, String> env;

    ServerJson(Function<String, String> env) {
        this.env = env;
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
                r.string("status"));
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
            Path path = Path.of(keyFile);
            try {
                inlineKey = Files.readString(path);
            } catch (IOException | RuntimeException e) {
                problems.add(new FieldProblem(
                        prefix + "private_key_file",
                        "cannot read the key file " + keyFile + " ("
                                + e.getClass().getSimpleName()
                                + "); give a readable path to an OpenSSH/PEM private key"));
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

    /** Resolves every ${VAR} in a string value. */
    String resolve(String raw, String field, List<FieldProblem> problems) {
        Matcher m = ENV_REF.matcher(raw);
        StringBuilder out = new StringBuilder();
        boolean ok = true;
        while (m.find()) {
            String value = env.apply(m.group(1));
            if (value == null) {
                problems.add(new FieldProblem(
                        field,
                        "environment variable " + m.group(1)
                                + " is not set; export it before starting (or importing), or write the value in place of ${"
                                + m.group(1) + "}"));
                ok = false;
                value = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
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
            return resolve(value.stringValue(), prefix + name, problems);
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
