package io.groupai.fleet.workflows.allocation;

/**
 * One account of a {@link ReserveBatchRequest}: the claim it now holds, or why it got none ({@code failure},
 * naming the account and the server). A failed item changed nothing; its siblings are unaffected.
 */
public record ReservedAccount(String accountId, Reservation reservation, String failure) {}
