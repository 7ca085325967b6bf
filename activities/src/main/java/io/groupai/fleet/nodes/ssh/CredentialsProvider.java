package io.groupai.fleet.nodes.ssh;

/**
 * Looks up the credentials of a server at connect time, so secrets live only as long as one
 * handshake and never sit in a target, a workflow payload or a log line.
 */
@FunctionalInterface
public interface CredentialsProvider {

    /** @throws SshException of kind AUTH_FAILED if nothing is configured for the node */
    SshCredentials credentialsFor(String nodeId);
}
