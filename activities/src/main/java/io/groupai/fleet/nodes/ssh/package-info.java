/**
 * The SSH layer of the control plane: everything that talks to a worker server over SSH/SFTP.
 *
 * <p>Construction (the Spring wiring does the same with beans):
 * <pre>{@code
 * HostKeyStore hostKeys = ...;                       // database-backed in production
 * CredentialsProvider creds = nodeId -> ...;          // looked up per connect, never stored
 * SshSessionPool pool = new SshSessionPool(SshSettings.DEFAULTS, hostKeys, creds);
 * RemoteShell shell = new RemoteShell(pool);
 * NodeProbe probe = new NodeProbe(shell);
 * WorkerProcessControl control = new WorkerProcessControl(shell, Duration.ofSeconds(10));
 * SessionTransfer transfer = new SessionTransfer(shell);
 *
 * SshTarget target = new SshTarget("worker-01", "10.0.0.5", 22, "root", "/opt/group-ai");
 * ProbeResult health = probe.probe(target);
 * }</pre>
 *
 * <p>Every failure is an {@link io.groupai.fleet.nodes.ssh.SshException} naming server and step,
 * with a {@link io.groupai.fleet.nodes.ssh.SshException.Kind kind} and whether a retry can help.
 * Host keys are pinned on first contact and a changed key is refused; the worker process is
 * controlled through its pid file and process group only.
 */
package io.groupai.fleet.nodes.ssh;
