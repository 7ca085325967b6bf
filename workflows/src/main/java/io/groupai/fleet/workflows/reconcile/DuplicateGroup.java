package io.groupai.fleet.workflows.reconcile;

import java.util.List;

/** Account rows that carry the same Telegram user id: one user, several account ids. */
public record DuplicateGroup(long telegramUserId, List<String> accountIds) {}
