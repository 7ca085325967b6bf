package io.groupai.fleet.node.heartbeat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The seed's heartbeat protocol ({@code POST /api/v1/workers/heartbeat}), snake_case on the wire. */
public final class HeartbeatMessages {

    private HeartbeatMessages() {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Heartbeat(
            String nodeId,
            String status,
            int accountCount,
            List<AccountEntry> accounts,
            List<Long> ackedCommands,
            List<FailedCommand> failedCommands) {}

    public record AccountEntry(
            String accountId,
            String status,
            String scriptId,
            long messageCount,
            long replyCount,
            String lastActivity,
            String sessionFile,
            List<Long> groupIds) {}

    public record FailedCommand(long id, String error) {}

    /** {@code nodeToken}: present only after a rotation, while this node still uses its previous token. */
    public record Reply(Boolean ok, String leaseExpiresAt, List<Command> pendingCommands, String nodeToken) {

        /** Never print the token. */
        @Override
        public String toString() {
            return "Reply[ok=" + ok + ", leaseExpiresAt=" + leaseExpiresAt + ", pendingCommands=" + pendingCommands
                    + ", nodeToken=" + (nodeToken == null ? "none" : "***") + "]";
        }
    }

    /** {@code params} stays a tree: each action has its own fields, and unknown actions are reported, not fatal. */
    public record Command(Long id, String action, JsonNode params) {}
}
