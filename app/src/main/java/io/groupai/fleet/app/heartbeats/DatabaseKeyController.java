package io.groupai.fleet.app.heartbeats;

import io.groupai.fleet.registry.DatabaseKeyStore;
import io.groupai.fleet.registry.NotFoundException;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Hands an account's TDLib {@code database_encryption_key} to the node that is to run it: the caller
 * proves it is {@code nodeId} with its node token, and the database must assign the account to that
 * node or reserve it there (an allocation or a migration toward it). The key travels only here: never
 * in a workflow payload (a node could read any history it is handed), a log line or an operator API.
 */
@RestController
class DatabaseKeyController {

    /** The body; {@link #toString} hides the key so no log or debugger view prints it. */
    record DatabaseKey(String accountId, String databaseEncryptionKey) {
        @Override
        public String toString() {
            return "DatabaseKey[accountId=" + accountId + ", databaseEncryptionKey=<hidden>]";
        }
    }

    private final DatabaseKeyStore keys;
    private final NodeAuthentication auth;

    DatabaseKeyController(DatabaseKeyStore keys, NodeAuthentication auth) {
        this.keys = keys;
        this.auth = auth;
    }

    @GetMapping("/api/v1/workers/{nodeId}/accounts/{accountId}/database-key")
    ResponseEntity<DatabaseKey> databaseKey(
            @PathVariable String nodeId,
            @PathVariable String accountId,
            @RequestHeader(name = "Authorization", required = false) String authorization) {
        auth.require(nodeId, authorization);
        DatabaseKeyStore.Holder holder = keys.holder(accountId)
                .orElseThrow(() -> new NotFoundException(
                        "account '" + accountId + "' does not exist; the control plane has no database key for it"));
        if (!holder.includes(nodeId)) {
            throw new ResponseStatusException(
                    HttpStatus.FORBIDDEN,
                    "account " + accountId + " is not assigned or reserved to node " + nodeId
                            + ": a node gets only the database keys of the accounts it is to run");
        }
        // The body is a secret: no cache or proxy may keep it.
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(new DatabaseKey(accountId, keys.issueIfAbsent(accountId)));
    }
}
