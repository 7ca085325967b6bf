package io.groupai.fleet.nodes.ssh.testing;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Fresh SSH client keys for tests. */
public final class TestKeys {

    /** A private key in PEM and its authorized_keys line. */
    public record ClientKey(String privatePem, String authorizedKeyLine) {}

    private TestKeys() {}

    public static ClientKey ecdsa(String comment) {
        try {
            KeyPair kp = KeyPair.genKeyPair(new JSch(), KeyPair.ECDSA, 256);
            ByteArrayOutputStream priv = new ByteArrayOutputStream();
            kp.writePrivateKey(priv);
            ByteArrayOutputStream pub = new ByteArrayOutputStream();
            kp.writePublicKey(pub, comment);
            kp.dispose();
            return new ClientKey(
                    priv.toString(StandardCharsets.US_ASCII),
                    pub.toString(StandardCharsets.US_ASCII).trim());
        } catch (JSchException e) {
            throw new IllegalStateException(e);
        }
    }
}
