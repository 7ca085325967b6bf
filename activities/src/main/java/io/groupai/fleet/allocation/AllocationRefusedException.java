package io.groupai.fleet.allocation;

import io.groupai.fleet.workflows.FailureTypes;

/**
 * The database refused a claim: no capacity, server not eligible, account unavailable. The
 * message names the account and the server; {@link #code()} is one of {@link FailureTypes}.
 */
public class AllocationRefusedException extends RuntimeException {

    private final String code;

    public AllocationRefusedException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** A conflict with the current state (409) rather than input naming something that does not exist (400). */
    public boolean conflict() {
        return !FailureTypes.INVALID_ALLOCATION_REQUEST.equals(code);
    }
}
