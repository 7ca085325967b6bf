package io.groupai.fleet.app.accounts;

import io.groupai.fleet.registry.AccountDefinition;
import io.groupai.fleet.registry.AccountFilter;
import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.AccountRegistry;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.Page;
import java.net.URI;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Accounts: register, change, remove, and list with filters (server, status) and paging. */
@RestController
@RequestMapping("/api/v1/group-ai/accounts")
class AccountController {

    static final int MAX_PAGE_SIZE = 500;

    private final AccountRegistry registry;
    private final AccountRepository accounts;

    AccountController(AccountRegistry registry, AccountRepository accounts) {
        this.registry = registry;
        this.accounts = accounts;
    }

    @GetMapping
    Page<AccountRecord> list(
            @RequestParam(name = "server_id", required = false) String serverId,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) Boolean unallocated,
            @RequestParam(name = "source_node", required = false) String sourceNode,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        if (page < 0) {
            throw new InvalidInputException("page", "must be 0 or more (pages count from 0)");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidInputException("size", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        return accounts.list(
                new AccountFilter(blankToNull(serverId), blankToNull(status), unallocated, blankToNull(sourceNode)),
                page,
                size);
    }

    @GetMapping("/{accountId}")
    AccountRecord get(@PathVariable String accountId) {
        return accounts.get(accountId);
    }

    @PostMapping
    ResponseEntity<AccountRecord> create(@RequestBody AccountDefinition definition) {
        AccountRecord created = registry.create(definition);
        return ResponseEntity.created(URI.create("/api/v1/group-ai/accounts/" + created.accountId()))
                .body(created);
    }

    @PutMapping("/{accountId}")
    AccountRecord update(@PathVariable String accountId, @RequestBody AccountDefinition definition) {
        AccountDefinition withId = definition.accountId() == null
                ? new AccountDefinition(
                        accountId, definition.sessionFile(), definition.scriptId(), definition.location())
                : definition;
        return registry.update(accountId, withId);
    }

    @DeleteMapping("/{accountId}")
    ResponseEntity<Void> delete(@PathVariable String accountId) {
        registry.delete(accountId);
        return ResponseEntity.noContent().build();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
