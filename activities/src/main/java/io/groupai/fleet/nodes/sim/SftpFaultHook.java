package io.groupai.fleet.nodes.sim;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Fault injection for the simulated node's SFTP server (reads and writes), for tests of failure handling. An
 * exception thrown here travels to the client as a real SFTP status: {@link java.nio.file.AccessDeniedException}
 * becomes SSH_FX_PERMISSION_DENIED, any other IOException SSH_FX_FAILURE with its message
 * (e.g. "No space left on device", which is what OpenSSH's sftp-server reports for ENOSPC).
 */
public interface SftpFaultHook {

    SftpFaultHook NONE = new SftpFaultHook() {};

    /** Called before a file is opened for writing. */
    default void beforeOpenForWrite(Path file) throws IOException {}

    /** Called before each read; {@code offset} is where the read starts. */
    default void beforeRead(Path file, long offset) throws IOException {}

    /** Called before each write; {@code endOffset} is the file size after the write. */
    default void beforeWrite(Path file, long endOffset) throws IOException {}
}
