package io.groupai.fleet.app.heartbeats;

import io.groupai.fleet.heartbeats.Heartbeat;
import io.groupai.fleet.registry.AccountReport;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads a heartbeat body strictly where it matters (types, ids) and leniently where the seed's
 * workers differ (unknown fields ignored; last_activity with or without a zone, UTC assumed).
 */
final class HeartbeatJson {

    private static final Pattern NODE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9_+-]{1,64}");

    private HeartbeatJson() {}

    /**
     * The Telegram user id each reported account is signed in as ({@code accounts[].telegram_user_id}, sent by
     * this project's agent once the account is authorized), by account id. Read after {@link #read}, which
     * already rejected malformed entries; a value that is not a positive whole number is ignored.
     */
    static java.util.Map<String, Long> telegramUserIds(JsonNode body) {
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
        JsonNode list = body.get("accounts");
        if (list == null || !list.isArray()) {
            return out;
        }
        for (JsonNode a : list) {
            JsonNode id = a.get("account_id");
            JsonNode user = a.get("telegram_user_id");
            if (id != null
                    && id.isString()
                    && user != null
                    && user.isIntegralNumber()
                    && user.canConvertToLong()
                    && user.longValue() > 0) {
                out.put(id.stringValue(), user.longValue());
            }
        }
        return out;
    }

    /** The node id alone, to find whose token to check before reading the rest. */
    static String nodeId(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidInputException(
                    "body", "must be a JSON object: {\"node_id\": ..., \"status\": ..., \"accounts\": [...]}");
        }
        JsonNode nodeId = body.get("node_id");
        if (nodeId == null
                || !nodeId.isString()
                || !NODE_ID.matcher(nodeId.stringValue()).matches()) {
            throw new InvalidInputException(
                    "node_id", "is required: the registered node id as a string, e.g. \"worker-01\"");
        }
        return nodeId.stringValue();
    }

    static Heartbeat read(JsonNode body) {
        List<FieldProblem> problems = new ArrayList<>();
        String nodeId = nodeId(body);
        String status = text(body, "status", "status", true, problems);
        Integer accountCount = integer(body.get("account_count"), "account_count", problems);
        List<AccountReport> accounts = new ArrayList<>();
        JsonNode list = body.get("accounts");
        if (list != null && !list.isNull() && !list.isArray()) {
            problems.add(new FieldProblem("accounts", "must be an array of account objects"));
        } else if (list != null && list.isArray()) {
            for (int i = 0; i < list.size(); i++) {
                AccountReport account = account(list.get(i), "accounts[" + i + "]", problems);
                if (account != null) {
                    accounts.add(account);
                }
            }
        }
        List<Long> acked = longs(body.get("acked_commands"), "acked_commands", problems);
        List<Heartbeat.FailedCommand> failed = new ArrayList<>();
        JsonNode failures = body.get("failed_commands");
        if (failures != null && failures.isArray()) {
            for (int i = 0; i < failures.size(); i++) {
                JsonNode f = failures.get(i);
                Long id = f.isObject() && f.get("id") != null && f.get("id").canConvertToLong()
                        ? f.get("id").longValue()
                        : null;
                if (id == null) {
                    problems.add(
                            new FieldProblem("failed_commands[" + i + "].id", "must be the command id (a number)"));
                } else {
                    failed.add(new Heartbeat.FailedCommand(
                            id, f.get("error") == null ? null : f.get("error").asString()));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        JsonNode wants = body.get("want_assigned_accounts");
        return new Heartbeat(
                nodeId,
                status,
                accountCount == null ? accounts.size() : accountCount,
                accounts,
                acked,
                failed,
                wants != null && wants.isBoolean() && wants.booleanValue());
    }

    private static AccountReport account(JsonNode a, String at, List<FieldProblem> problems) {
        if (a == null || !a.isObject()) {
            problems.add(new FieldProblem(at, "must be an object with account_id, status, ..."));
            return null;
        }
        int before = problems.size();
        String accountId = text(a, "account_id", at + ".account_id", true, problems);
        if (accountId != null && !ACCOUNT_ID.matcher(accountId).matches()) {
            problems.add(new FieldProblem(at + ".account_id", "must be 1-64 letters, digits, '_', '+' or '-'"));
        }
        String status = text(a, "status", at + ".status", true, problems);
        String scriptId = text(a, "script_id", at + ".script_id", false, problems);
        Integer messages = integer(a.get("message_count"), at + ".message_count", problems);
        Integer replies = integer(a.get("reply_count"), at + ".reply_count", problems);
        Instant lastActivity = instant(a.get("last_activity"), at + ".last_activity", problems);
        String sessionFile = text(a, "session_file", at + ".session_file", false, problems);
        List<Long> groups = longs(a.get("group_ids"), at + ".group_ids", problems);
        JsonNode user = a.get("telegram_user_id");
        if (user != null
                && !user.isNull()
                && !(user.isIntegralNumber() && user.canConvertToLong() && user.longValue() > 0)) {
            problems.add(new FieldProblem(
                    at + ".telegram_user_id", "must be the account's Telegram user id (a positive number)"));
        }
        if (problems.size() > before) {
            return null;
        }
        return new AccountReport(
                accountId,
                status,
                scriptId,
                messages == null ? 0 : messages,
                replies == null ? 0 : replies,
                lastActivity,
                sessionFile,
                groups);
    }

    private static String text(
            JsonNode node, String name, String field, boolean required, List<FieldProblem> problems) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(new FieldProblem(field, "is required (a string)"));
            }
            return null;
        }
        if (!value.isString()) {
            problems.add(new FieldProblem(field, "must be a string"));
            return null;
        }
        return value.stringValue();
    }

    private static Integer integer(JsonNode value, String field, List<FieldProblem> problems) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
            problems.add(new FieldProblem(field, "must be a whole number, 0 or more"));
            return null;
        }
        return value.intValue();
    }

    private static List<Long> longs(JsonNode value, String field, List<FieldProblem> problems) {
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            problems.add(new FieldProblem(field, "must be an array of numbers"));
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isIntegralNumber()) {
                problems.add(new FieldProblem(field + "[" + i + "]", "must be a number"));
            } else {
                out.add(value.get(i).longValue());
            }
        }
        return out;
    }

    private static Instant instant(JsonNode value, String field, List<FieldProblem> problems) {
        if (value == null || value.isNull()) {
            return null;
        }
        String text = value.isString() ? value.stringValue() : "";
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException withoutZone) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                problems.add(new FieldProblem(field, "must be an ISO-8601 time such as \"2025-12-01T18:00:00Z\""));
                return null;
            }
        }
    }
}
