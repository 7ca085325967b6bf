package io.groupai.fleet.allocation.planner;

import java.util.Objects;

/**
 * One account that needs a server.
 *
 * @param accountId          unique id of the account
 * @param scriptId           dialogue script the account runs, or {@code null}; used by {@link Strategy#AFFINITY}
 * @param locationPreference wanted server location, or {@code null}; used by {@link Strategy#LOCATION}
 */
public record AccountRequest(String accountId, String scriptId, String locationPreference) {

    public AccountRequest {
        Objects.requireNonNull(accountId, "accountId");
        if (accountId.isBlank()) {
            throw new IllegalArgumentException("accountId must not be blank");
        }
    }

    /** An account with no script and no location preference. */
    public static AccountRequest of(String accountId) {
        return new AccountRequest(accountId, null, null);
    }
}
