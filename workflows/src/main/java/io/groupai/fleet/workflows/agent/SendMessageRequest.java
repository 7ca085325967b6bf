package io.groupai.fleet.workflows.agent;

/** Send a text message as an account to a chat. */
public record SendMessageRequest(String accountId, long chatId, String text) {}
