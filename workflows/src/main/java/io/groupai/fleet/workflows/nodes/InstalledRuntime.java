package io.groupai.fleet.workflows.nodes;

/**
 * The Java runtime shipped with the worker-node distribution, as installed on a server.
 *
 * @param remotePath  {@code <deploy_dir>/runtime}
 * @param runtimeId   the SHA-256 of the runtime archive; the same id on the server means no upload
 * @param javaVersion what {@code runtime/bin/java -version} reported there
 * @param sizeBytes   size of the runtime archive
 * @param uploaded    false when the server already had this runtime
 */
public record InstalledRuntime(
        String remotePath, String runtimeId, String javaVersion, long sizeBytes, boolean uploaded) {}
