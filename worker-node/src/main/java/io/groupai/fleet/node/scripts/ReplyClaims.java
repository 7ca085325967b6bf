package io.groupai.fleet.node.scripts;

/**
 * Makes sure one event in a group is answered by one account of the whole fleet: every account
 * running a script sees a new member join, but only the first to claim the event answers. The
 * control plane keeps the claims ({@code POST /api/v1/workers/{node_id}/dialogue-claims}).
 */
@FunctionalInterface
public interface ReplyClaims {

    /** True when this account may answer the event {@code eventKey} in {@code chatId}. */
    boolean claim(String accountId, long chatId, String eventKey);

    /** Every claim granted (one account alone, tests). */
    ReplyClaims ALWAYS = (a, c, k) -> true;
}
