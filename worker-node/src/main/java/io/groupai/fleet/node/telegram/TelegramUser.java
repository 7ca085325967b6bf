package io.groupai.fleet.node.telegram;

/** The Telegram user an account is logged in as. */
public record TelegramUser(long userId, String firstName, String username) {}
