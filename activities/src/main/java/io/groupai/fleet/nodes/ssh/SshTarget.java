package io.groupai.fleet.nodes.ssh;

import java.util.regex.Pattern;

/**
 * Where a worker server lives. Holds no secrets: credentials are looked up per connect
 * through a {@link CredentialsProvider}, so a target can be logged and passed around freely.
 *
 * <p>Every field is validated here because they end up in shell commands and remote paths.
 */
public record SshTarget(String nodeId, String host, int port, String user, String deployDir) {

    static final Pattern NODE_ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]]{1,253}");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");
    private static final Pattern DEPLOY_DIR = Pattern.compile("/[A-Za-z0-9/_.-]*");

    public SshTarget {
        requireMatch("nodeId", nodeId, NODE_ID, nodeId);
        requireMatch("host", host, HOST, nodeId);
        if (port < 1 || port > 65535) {
            throw SshException.invalidInput(nodeId, "port must be 1..65535, was " + port);
        }
        requireMatch("user", user, USER, nodeId);
        requireMatch("deployDir", deployDir, DEPLOY_DIR, nodeId);
        for (String segment : deployDir.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                throw SshException.invalidInput(
                        nodeId, "deployDir must not contain '.' or '..' segments: " + deployDir);
            }
        }
        if (deployDir.length() > 1 && deployDir.endsWith("/")) {
            deployDir = deployDir.substring(0, deployDir.length() - 1);
        }
        if (deployDir.equals("/")) {
            throw SshException.invalidInput(nodeId, "deployDir must not be the root directory");
        }
    }

    private static void requireMatch(String field, String value, Pattern pattern, String nodeId) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw SshException.invalidInput(
                    NODE_ID.matcher(String.valueOf(nodeId)).matches() ? nodeId : "?",
                    "invalid " + field + ": " + (value == null ? "null" : "'" + printable(value) + "'") + " (allowed: "
                            + pattern.pattern() + ")");
        }
    }

    /** Keeps error messages on one line even for hostile input. */
    private static String printable(String value) {
        String shortened = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }

    /** {@code <deployDir>/run/worker-node.pid} */
    public String pidFile() {
        return deployDir + "/run/worker-node.pid";
    }

    /** {@code <deployDir>/sessions} */
    public String sessionsDir() {
        return deployDir + "/sessions";
    }

    @Override
    public String toString() {
        return nodeId + " (" + user + "@" + host + ":" + port + ", " + deployDir + ")";
    }
}
