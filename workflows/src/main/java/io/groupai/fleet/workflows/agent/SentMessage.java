package io.groupai.fleet.workflows.agent;

/** The message as the network accepted it. */
public record SentMessage(String accountId, long chatId, long messageId) {}
