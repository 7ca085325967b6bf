package io.groupai.fleet.workflows.reconcile;

/**
 * A directory {@code <deploy_dir>/sessions/<accountId>/} on a server, as listed over SSH.
 *
 * @param archiveSha256       SHA-256 of the uploaded {@code session.zip} in it, null if there is none
 * @param archiveMillis       modification time of that archive (epoch millis), null if none
 * @param otherNewestMillis   newest modification time of any other file in it (an unpacked, running
 *                            session changes these), null if there are none
 */
public record SessionDir(String accountId, String archiveSha256, Long archiveMillis, Long otherNewestMillis) {}
