package io.groupai.fleet.workflows.allocation;

/** One account of a batched upload: the archive as it now lies on the server, or why it does not ({@code failure}). */
public record UploadedAccount(String accountId, UploadedSession session, String failure) {}
