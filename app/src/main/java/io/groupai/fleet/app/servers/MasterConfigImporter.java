package io.groupai.fleet.app.servers;

import io.groupai.fleet.app.security.SecurityProperties;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRegistry;
import io.groupai.fleet.registry.ServerRegistry.ServerInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Imports master_config.json in the seed's format: {@code servers} keyed by node id, and the
 * {@code allocation} block. All or nothing: any problem in any entry rejects the whole file.
 */
@Component
public class MasterConfigImporter {

    private static final Set<String> STRATEGIES =
            Set.of("balanced", "round_robin", "least_loaded", "load_balance", "location", "affinity", "isolation");

    /** Duplicate keys would silently drop a server; refuse them instead. */
    private final JsonMapper strictJson = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final ServerRegistry registry;
    private final ServerJson restJson;
    private final ServerJson startupJson;

    public MasterConfigImporter(ServerRegistry registry, Environment environment, SecurityProperties security) {
        this.registry = registry;
        this.restJson = new ServerJson(
                environment::getProperty,
                ServerJson.Variables.rest(security.restVariablePrefixes()),
                security.keysDir());
        this.startupJson = new ServerJson(environment::getProperty, ServerJson.Variables.ANY, security.keysDir());
    }

    /** A file sent over the API: {@code ${VAR}} only for allow-listed variables in secret fields. */
    public List<ServerRecord> importJson(String json) {
        return importWith(json, restJson.fresh());
    }

    /** The start-up import (GROUPAI_MASTER_CONFIG): {@code ${VAR}} may name any variable. */
    public List<ServerRecord> importAtStartup(String json) {
        return importWith(json, startupJson.fresh());
    }

    private List<ServerRecord> importWith(String json, ServerJson serverJson) {
        JsonNode root;
        try {
            root = strictJson.readTree(json);
        } catch (JacksonException e) {
            // Limit violations (StreamConstraintsException, e.g. a 100,000-character key) carry no location.
            String where = e.getLocation() == null
                    ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")";
            throw new InvalidInputException(
                    "body", "master_config.json is not valid JSON: " + e.getOriginalMessage() + where);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(
                    "body", "master_config.json must be a JSON object with a \"servers\" object");
        }
        JsonNode servers = root.get("servers");
        if (servers == null || !servers.isObject() || servers.isEmpty()) {
            throw new InvalidInputException(
                    "servers",
                    "must be a non-empty object keyed by node id, "
                            + "e.g. {\"servers\": {\"worker-01\": {\"host\": \"203.0.113.10\", ...}}}");
        }
        List<FieldProblem> problems = new ArrayList<>();
        List<ServerInput> inputs = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : servers.properties()) {
            String prefix = "servers." + entry.getKey() + ".";
            List<FieldProblem> own = new ArrayList<>();
            ServerInput input = serverJson.read(entry.getValue(), prefix, entry.getKey(), own);
            if (input != null) {
                inputs.add(input);
                own = FieldProblems.merge(own, registry.validate(input, prefix));
            }
            problems.addAll(own);
        }
        Map<String, String> allocation = allocationSettings(root.get("allocation"), problems);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(serverJson.redacted(problems));
        }
        return registry.importAll(inputs, allocation);
    }

    private static Map<String, String> allocationSettings(JsonNode allocation, List<FieldProblem> problems) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (allocation == null || allocation.isNull()) {
            return settings;
        }
        if (!allocation.isObject()) {
            problems.add(new FieldProblem("allocation", "must be an object"));
            return settings;
        }
        JsonNode strategy = allocation.get("default_strategy");
        if (strategy != null) {
            if (!strategy.isString() || !STRATEGIES.contains(strategy.stringValue())) {
                problems.add(new FieldProblem(
                        "allocation.default_strategy",
                        "must be one of "
                                + String.join(", ", STRATEGIES.stream().sorted().toList())));
            } else {
                settings.put("default_strategy", strategy.stringValue());
            }
        }
        number(allocation, "rebalance_threshold", 0, 100, settings, problems);
        number(allocation, "health_check_interval", 5, 86400, settings, problems);
        number(allocation, "max_retry_count", 0, 100, settings, problems);
        number(allocation, "retry_delay", 0, 3600, settings, problems);
        return settings;
    }

    private static void number(
            JsonNode block,
            String name,
            double min,
            double max,
            Map<String, String> settings,
            List<FieldProblem> problems) {
        JsonNode value = block.get(name);
        if (value == null) {
            return;
        }
        if (!value.isNumber() || value.doubleValue() < min || value.doubleValue() > max) {
            problems.add(new FieldProblem("allocation." + name, "must be a number from " + min + " to " + max));
            return;
        }
        settings.put(name, value.asString());
    }
}
