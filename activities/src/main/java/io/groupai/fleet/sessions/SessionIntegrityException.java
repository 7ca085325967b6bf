package io.groupai.fleet.sessions;

import java.io.IOException;

/**
 * A stored session archive that does not decrypt, or whose plaintext is not the one recorded when it was
 * stored (SHA-256 and size): it was changed or damaged on disk, or the control-plane secret differs from the
 * one it was stored with. An {@link IOException} because it surfaces while the archive streams; the message
 * names the account and the step.
 */
public class SessionIntegrityException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String accountId;
    private final String step;

    public SessionIntegrityException(String accountId, String what, String step, String why, Throwable cause) {
        super(
                "the stored " + what + " of account " + accountId + " failed its integrity check at step " + step
                        + ": " + why + "; it was changed or damaged on disk, or the control-plane secret"
                        + " (groupai.secrets.key) differs from the one it was stored with",
                cause);
        this.accountId = accountId;
        this.step = step;
    }

    public String accountId() {
        return accountId;
    }

    public String step() {
        return step;
    }

    /** The first {@code SessionIntegrityException} in a cause chain (transfers wrap what the stream threw). */
    public static java.util.Optional<SessionIntegrityException> in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SessionIntegrityException e) {
                return java.util.Optional.of(e);
            }
            for (Throwable s : c.getSuppressed()) {
                if (s instanceof SessionIntegrityException e) {
                    return java.util.Optional.of(e);
                }
            }
        }
        return java.util.Optional.empty();
    }
}
