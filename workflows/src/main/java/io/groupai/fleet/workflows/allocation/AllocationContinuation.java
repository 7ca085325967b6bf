package io.groupai.fleet.workflows.allocation;

/**
 * Where an {@link AllocateAccountsWorkflow} continues after continue-as-new, and its totals so far.
 *
 * @param afterAccountId auto: the last account id taken up (the next page starts after it)
 * @param offset         explicit account ids or targets: how many were taken up
 */
public record AllocationContinuation(
        String afterAccountId,
        int offset,
        int chunks,
        int accounts,
        int planned,
        int unplaced,
        int placed,
        int failed) {

    public static final AllocationContinuation START = new AllocationContinuation(null, 0, 0, 0, 0, 0, 0, 0);
}
