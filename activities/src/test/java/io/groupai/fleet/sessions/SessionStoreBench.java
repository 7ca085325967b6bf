package io.groupai.fleet.sessions;

import io.groupai.fleet.registry.SecretCipher;
import io.groupai.fleet.registry.SecretsProperties;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;

/**
 * What encryption at rest costs: stores an archive of N MiB (SHA-256, then encrypt to disk) and reads it back
 * (decrypt and verify), against copying the plaintext file. Prints MiB/s per step and the bytes added.
 * Usage: {@code SessionStoreBench [MiB] [rounds]}.
 *
 * <pre>
 * JAVA_HOME=... ./mvnw -B -q -pl activities -am test-compile exec:java -Dbench=activities \
 *     -Dexec.mainClass=io.groupai.fleet.sessions.SessionStoreBench -Dexec.classpathScope=test [-Dexec.args="256 3"]
 * </pre>
 */
public final class SessionStoreBench {

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path base = Files.createTempDirectory("store-bench");
        byte[] key = new byte[32];
        new Random(1).nextBytes(key);
        SessionStore store = new SessionStore(
                new SessionStoreProperties(base.resolve("store"), 1L << 40, 1L << 40),
                new SecretCipher(new SecretsProperties(Base64.getEncoder().encodeToString(key), null)));
        Path source = base.resolve("archive.zip");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(2);
        try (OutputStream out = Files.newOutputStream(source)) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        for (int round = 0; round <= rounds; round++) {
            Path temp = store.newTempFile();
            long t0 = System.nanoTime();
            Files.copy(source, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long copied = System.nanoTime();
            store.store("bench", temp);
            long stored = System.nanoTime();
            long read;
            try (InputStream in = store.open("bench", "bench")) {
                read = in.transferTo(OutputStream.nullOutputStream());
            }
            long done = System.nanoTime();
            if (read != (long) mib << 20) {
                throw new IllegalStateException("read " + read + " bytes");
            }
            if (round == 0) {
                continue; // warm-up
            }
            System.out.printf(
                    "%d MiB: plain copy %.0f MiB/s, store (sha256 + encrypt) %.0f MiB/s, read (decrypt + verify)"
                            + " %.0f MiB/s, %d bytes added on disk%n",
                    mib,
                    mib / seconds(copied - t0),
                    mib / seconds(stored - copied),
                    mib / seconds(done - stored),
                    Files.size(store.currentFile("bench")) - ((long) mib << 20));
        }
        org.springframework.util.FileSystemUtils.deleteRecursively(base);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
