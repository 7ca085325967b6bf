package io.groupai.fleet.app.accounts;

import io.groupai.fleet.app.scripts.FleetDialogueDirectory;
import io.groupai.fleet.registry.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The groups (Telegram chat ids) an account may talk in: its dialogue script runs only there. Nodes
 * get the change with their next heartbeat (its dialogue version changes; they download the new view).
 * An empty list lifts the restriction (the script's {@code settings.groups}, or every group).
 */
@RestController
class AccountGroupsController {

    record AccountGroups(String accountId, List<Long> groupIds) {}

    private final FleetDialogueDirectory directory;

    AccountGroupsController(FleetDialogueDirectory directory) {
        this.directory = directory;
    }

    @GetMapping("/api/v1/group-ai/accounts/{accountId}/groups")
    AccountGroups get(@PathVariable String accountId) {
        return new AccountGroups(accountId, directory.groups(accountId));
    }

    /** {@code {"group_ids": [-1001234567890, ...]}}: replaces the account's groups. */
    @PutMapping("/api/v1/group-ai/accounts/{accountId}/groups")
    AccountGroups put(@PathVariable String accountId, @RequestBody(required = false) JsonNode body) {
        return new AccountGroups(accountId, directory.setGroups(accountId, groupIds(body)));
    }

    static List<Long> groupIds(JsonNode body) {
        String example = "{\"group_ids\": [-1001234567890]} (Telegram chat ids; [] lifts the restriction)";
        if (body == null || !body.isObject()) {
            throw new InvalidInputException("body", "must be a JSON object: " + example);
        }
        JsonNode ids = body.get("group_ids");
        if (ids == null || !ids.isArray()) {
            throw new InvalidInputException("group_ids", "is required, an array of chat ids: " + example);
        }
        if (ids.size() > FleetDialogueDirectory.MAX_GROUPS_PER_ACCOUNT) {
            throw new InvalidInputException(
                    "group_ids",
                    "has " + ids.size() + " entries; an account may talk in at most "
                            + FleetDialogueDirectory.MAX_GROUPS_PER_ACCOUNT + " groups");
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToLong() || id.longValue() == 0) {
                throw new InvalidInputException(
                        "group_ids[" + i + "]",
                        "must be a Telegram chat id: a non-zero whole number such as -1001234567890, not "
                                + abbreviated(id.toString()));
            }
            out.add(id.longValue());
        }
        return out;
    }

    private static String abbreviated(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
