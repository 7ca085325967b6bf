package io.groupai.fleet.node.heartbeat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The seed's heartbeat protocol ({@code POST /api/v1/workers/heartbeat}), snake_case on the wire. */
public final class HeartbeatMessages {

    private HeartbeatMessages() {}

    /**
     * {@code want_assigned_accounts}: true when the agent needs the reply's assigned_accounts (else left out).
     * {@code dialogue_version}: the version of the dialogue config the node applied (absent before the first).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Heartbeat(
            String nodeId,
            String status,
            int accountCount,
            List<AccountEntry> accounts,
            List<Long> ackedCommands,
            List<FailedCommand> failedCommands,
            Boolean wantAssignedAccounts,
            String dialogueVersion) {}

    public record AccountEntry(
            String accountId,
            String status,
            String scriptId,
            long messageCount,
            long replyCount,
            String lastActivity,
            String sessionFile,
            List<Long> groupIds,
            Long telegramUserId) {}

    public record FailedCommand(long id, String error) {}

    /**
     * {@code assigned_accounts}: what the control plane's database assigns to this node (absent from
     * a seed-protocol control plane). The agent starts those it does not run when it starts and when
     * a heartbeat renews a lease that had run out. {@code nodeToken}: present only after a rotation,
     * while this node still uses its previous token. {@code dialogueVersion}: a hash of what the node's
     * dialogue managers need from the control plane (the fleet's Telegram user ids, each account's allowed
     * groups); when it changes, the node downloads {@link DialogueConfig} once (absent from a seed-protocol
     * control plane).
     */
    public record Reply(
            Boolean ok,
            String leaseExpiresAt,
            List<Command> pendingCommands,
            List<AssignedAccount> assignedAccounts,
            String nodeToken,
            String dialogueVersion) {

        public Reply(
                Boolean ok,
                String leaseExpiresAt,
                List<Command> pendingCommands,
                List<AssignedAccount> assignedAccounts,
                String nodeToken) {
            this(ok, leaseExpiresAt, pendingCommands, assignedAccounts, nodeToken, null);
        }

        /** Never print the token. */
        @Override
        public String toString() {
            return "Reply[ok=" + ok + ", leaseExpiresAt=" + leaseExpiresAt + ", pendingCommands=" + pendingCommands
                    + ", assignedAccounts=" + assignedAccounts + ", nodeToken=" + (nodeToken == null ? "none" : "***")
                    + ", dialogueVersion=" + dialogueVersion + "]";
        }
    }

    /**
     * {@code GET /api/v1/workers/{node_id}/dialogue}: every Telegram user id of the fleet's accounts (never
     * answered by scripts unless a script says so) and the groups each account of this node may talk in
     * (an account not listed is not restricted).
     */
    public record DialogueConfig(
            String version, long[] fleetUserIds, java.util.Map<String, List<Long>> accountGroups) {}

    public record AssignedAccount(String accountId, String scriptId) {}

    /** {@code params} stays a tree: each action has its own fields, and unknown actions are reported, not fatal. */
    public record Command(Long id, String action, JsonNode params) {}
}
