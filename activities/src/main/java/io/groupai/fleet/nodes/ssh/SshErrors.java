package io.groupai.fleet.nodes.ssh;

import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.SftpException;
import io.groupai.fleet.nodes.ssh.SshException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/** Maps JSch, SFTP and remote-shell failures to {@link SshException} kinds. */
final class SshErrors {

    private static final int SSH_FX_NO_SUCH_FILE = 2;
    private static final int SSH_FX_PERMISSION_DENIED = 3;
    private static final int SSH_FX_NO_SPACE_ON_FILESYSTEM = 14;
    private static final int SSH_FX_QUOTA_EXCEEDED = 15;

    private SshErrors() {}

    /** A failure while opening a session (TCP connect, handshake, authentication). */
    static SshException connectFailure(SshTarget target, Throwable e) {
        if (e instanceof SshException se) {
            return se;
        }
        String msg = String.valueOf(e.getMessage());
        String where = target.user() + "@" + target.host() + ":" + target.port();
        if (msg.startsWith("Auth fail") || msg.startsWith("Auth cancel")) {
            return new SshException(
                    target.nodeId(),
                    "auth",
                    Kind.AUTH_FAILED,
                    "authentication as " + where + " was refused (" + msg + "); check the server's credentials",
                    e);
        }
        if (msg.contains("invalid privatekey") || msg.contains("USERAUTH fail")) {
            return new SshException(
                    target.nodeId(),
                    "auth",
                    Kind.AUTH_FAILED,
                    "the private key configured for the server could not be used (" + firstLine(msg) + ")",
                    e);
        }
        Throwable root = rootCause(e);
        if (root instanceof SocketTimeoutException
                || lower(msg).contains("timeout")
                || lower(msg).contains("timed out")) {
            return new SshException(
                    target.nodeId(),
                    "connect",
                    Kind.TIMEOUT,
                    "no SSH handshake with " + where + " within the connect timeout (" + firstLine(msg) + ")",
                    e);
        }
        if (root instanceof ConnectException
                || root instanceof NoRouteToHostException
                || root instanceof UnknownHostException) {
            return new SshException(
                    target.nodeId(),
                    "connect",
                    Kind.UNREACHABLE,
                    "cannot reach " + where + ": " + root.getClass().getSimpleName() + ": " + root.getMessage(),
                    e);
        }
        return new SshException(
                target.nodeId(),
                "connect",
                Kind.UNREACHABLE,
                "SSH connection to " + where + " failed: " + firstLine(msg),
                e);
    }

    /** A failure after the session was open: channel, SFTP or I/O. {@code sessionAlive} tells a drop from a refusal. */
    static SshException operationFailure(SshTarget target, String step, Throwable e, boolean sessionAlive) {
        if (e instanceof SshException se) {
            return se;
        }
        String msg = String.valueOf(e.getMessage());
        if (e instanceof SftpException sftp) {
            Kind kind = switch (sftp.id) {
                case SSH_FX_PERMISSION_DENIED -> Kind.PERMISSION_DENIED;
                case SSH_FX_NO_SPACE_ON_FILESYSTEM, SSH_FX_QUOTA_EXCEEDED -> Kind.DISK_FULL;
                case SSH_FX_NO_SUCH_FILE -> Kind.NOT_FOUND;
                default -> kindFromText(msg, Kind.TRANSFER_FAILED);
            };
            String detail = sessionAlive
                    ? "SFTP error " + sftp.id + ": " + firstLine(msg)
                    : "connection dropped during the transfer (" + firstLine(msg) + ")";
            return new SshException(target.nodeId(), step, kind, detail, e);
        }
        if (!sessionAlive || e instanceof IOException || e instanceof JSchException) {
            return new SshException(
                    target.nodeId(),
                    step,
                    sessionAlive ? Kind.TRANSFER_FAILED : Kind.UNREACHABLE,
                    (sessionAlive ? "" : "connection to the server was lost: ") + firstLine(msg),
                    e);
        }
        return new SshException(target.nodeId(), step, Kind.COMMAND_FAILED, e.toString(), e);
    }

    /** Classifies a non-zero remote exit by the usual libc messages on stderr. */
    static Kind kindFromText(String text, Kind fallback) {
        String t = lower(text);
        if (t.contains("no space left on device") || t.contains("disk quota exceeded")) {
            return Kind.DISK_FULL;
        }
        if (t.contains("permission denied")
                || t.contains("operation not permitted")
                || t.contains("read-only file system")) {
            return Kind.PERMISSION_DENIED;
        }
        return fallback;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /** The last few lines of stderr, for messages. */
    static String tail(String s) {
        String trimmed = s.strip();
        return trimmed.length() > 400 ? "..." + trimmed.substring(trimmed.length() - 400) : trimmed;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
