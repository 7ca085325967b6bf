package io.groupai.fleet.workflows;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/**
 * The custom search attributes our workflows carry, so the Temporal UI and {@code temporal workflow
 * list --query 'AccountId="639277356155"'} find an account's or a node's workflows. {@code AccountId}
 * and {@code NodeId} are keyword lists (one allocation covers several accounts and nodes;
 * {@code AccountId="x"} matches a list that contains x), {@code Operation} a keyword.
 */
public final class SearchAttributeKeys {

    public static final SearchAttributeKey<List<String>> ACCOUNT_ID = SearchAttributeKey.forKeywordList("AccountId");
    public static final SearchAttributeKey<List<String>> NODE_ID = SearchAttributeKey.forKeywordList("NodeId");
    public static final SearchAttributeKey<String> OPERATION = SearchAttributeKey.forKeyword("Operation");

    /** Temporal limits one search attribute value to 2 KB: longer id lists are left out. */
    public static final int MAX_LISTED = 50;

    private SearchAttributeKeys() {}
}
