package io.groupai.fleet.heartbeats;

import io.groupai.fleet.registry.AccountReport;
import java.util.List;

/**
 * A worker's heartbeat in the seed's protocol, plus the acknowledgements of earlier commands.
 *
 * @param ackedCommands  ids of commands the node has carried out
 * @param failedCommands commands the node could not carry out, with its error
 * @param wantsAssigned  the node asks for the accounts assigned to it (its agent just started, or its
 *                       lease had run out): only then does the reply list them, saving a query per heartbeat
 */
public record Heartbeat(
        String nodeId,
        String status,
        int accountCount,
        List<AccountReport> accounts,
        List<Long> ackedCommands,
        List<FailedCommand> failedCommands,
        boolean wantsAssigned) {

    public Heartbeat(
            String nodeId,
            String status,
            int accountCount,
            List<AccountReport> accounts,
            List<Long> ackedCommands,
            List<FailedCommand> failedCommands) {
        this(nodeId, status, accountCount, accounts, ackedCommands, failedCommands, false);
    }

    public record FailedCommand(long id, String error) {}
}
