package io.groupai.fleet.registry;

import jakarta.validation.Validator;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/** Registers, changes and removes accounts. Placement on servers belongs to allocation. */
@Service
public class AccountRegistry {

    private static final Logger log = LoggerFactory.getLogger(AccountRegistry.class);

    private final AccountRepository accounts;
    private final Validator validator;

    public AccountRegistry(AccountRepository accounts, Validator validator) {
        this.accounts = accounts;
        this.validator = validator;
    }

    /** READ COMMITTED like the claims that change the same rows: no gap locks to deadlock with them on InnoDB. */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public AccountRecord create(AccountDefinition definition) {
        validate(definition);
        if (accounts.find(definition.accountId()).isPresent()) {
            throw new ConflictException("account '" + definition.accountId()
                    + "' already exists; change it with PUT /api/v1/group-ai/accounts/" + definition.accountId());
        }
        accounts.insert(definition);
        log.info("registered account {}", definition.accountId());
        return accounts.get(definition.accountId());
    }

    @Transactional
    public AccountRecord update(String accountId, AccountDefinition definition) {
        validate(definition);
        if (!accountId.equals(definition.accountId())) {
            throw new InvalidInputException(
                    "account_id",
                    "account_id in the body ('" + definition.accountId() + "') differs from the path ('" + accountId
                            + "'); account ids cannot change");
        }
        if (accounts.updateDefinition(definition) == 0) {
            throw NotFoundException.account(accountId);
        }
        return accounts.get(accountId);
    }

    @Transactional(isolation = Isolation.READ_COMMITTED)
    public void delete(String accountId) {
        AccountRecord account = accounts.get(accountId);
        if (account.serverId() != null) {
            throw new ConflictException("account " + accountId + " is placed on server " + account.serverId()
                    + "; stop and release it before deleting it");
        }
        if (!accounts.deleteUnassigned(accountId)) {
            throw new ConflictException("account " + accountId
                    + " was placed on a server meanwhile; stop and release it before deleting it");
        }
        log.info("deleted account {}", accountId);
    }

    private void validate(AccountDefinition definition) {
        List<FieldProblem> problems = validator.validate(definition).stream()
                .map(v -> new FieldProblem(
                        ServerRegistry.snake(v.getPropertyPath().toString()), v.getMessage()))
                .sorted(Comparator.comparing(FieldProblem::field))
                .toList();
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
    }
}
