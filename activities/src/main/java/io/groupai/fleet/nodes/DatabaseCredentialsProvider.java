package io.groupai.fleet.nodes;

import io.groupai.fleet.nodes.ssh.CredentialsProvider;
import io.groupai.fleet.nodes.ssh.SshCredentials;
import io.groupai.fleet.nodes.ssh.SshException;
import io.groupai.fleet.registry.CredentialStore;
import io.groupai.fleet.registry.SshSecret;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/** Decrypts a server's stored secret at connect time only. */
@Component
class DatabaseCredentialsProvider implements CredentialsProvider {

    private final CredentialStore store;

    DatabaseCredentialsProvider(CredentialStore store) {
        this.store = store;
    }

    @Override
    public SshCredentials credentialsFor(String nodeId) {
        SshSecret secret = store.load(nodeId)
                .orElseThrow(() -> new SshException(
                        nodeId,
                        "auth",
                        SshException.Kind.AUTH_FAILED,
                        "no SSH password or private key is stored for " + nodeId
                                + "; set one with PUT /api/v1/group-ai/servers/" + nodeId));
        return switch (secret) {
            case SshSecret.Password p -> SshCredentials.Password.of(p.password());
            case SshSecret.PrivateKey k ->
                new SshCredentials.PrivateKey(
                        k.pem().getBytes(StandardCharsets.US_ASCII),
                        k.passphrase() == null ? null : k.passphrase().getBytes(StandardCharsets.UTF_8));
        };
    }
}
