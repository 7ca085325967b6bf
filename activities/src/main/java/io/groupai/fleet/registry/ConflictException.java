package io.groupai.fleet.registry;

/** The request clashes with the current state (duplicate, in use, already running). HTTP 409. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
