package io.groupai.fleet.scriptstore;

import io.groupai.fleet.heartbeats.NodeCommandQueue;
import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.scripts.ScriptActivities;
import io.groupai.fleet.workflows.scripts.UpdateScriptCommand;
import io.temporal.failure.ApplicationFailure;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** {@link ScriptActivities} on the control plane: the command queue and the registry. */
@Component("scriptActivities")
public class ScriptActivitiesImpl implements ScriptActivities {

    private final NodeCommandQueue commands;
    private final ServerRepository servers;
    private final io.groupai.fleet.registry.AccountRepository accounts;

    public ScriptActivitiesImpl(
            NodeCommandQueue commands, ServerRepository servers, io.groupai.fleet.registry.AccountRepository accounts) {
        this.commands = commands;
        this.servers = servers;
        this.accounts = accounts;
    }

    @Override
    public long queueUpdateScript(UpdateScriptCommand c) {
        servers.get(c.nodeId());
        String params = "{\"script_id\":" + json(c.scriptId()) + ",\"version\":" + json(c.version())
                + ",\"download_url\":" + json(c.downloadUrl()) + ",\"sha256\":" + json(c.sha256()) + "}";
        return commands.enqueue(c.nodeId(), "update_script", params);
    }

    @Override
    public String nodeOf(String accountId) {
        Optional<AccountRecord> account = accounts.find(accountId);
        if (account.isEmpty() || account.get().serverId() == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "account " + accountId + (account.isEmpty() ? " is not registered" : " is placed on no server"),
                    FailureTypes.INVALID_ARGUMENT);
        }
        return account.get().serverId();
    }

    /** A JSON string literal (the values are ids, versions, URLs and hex). */
    static String json(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
