package io.groupai.fleet.router;

/**
 * Told about every upstream attempt when it ends, on the attempt's event loop: keep it cheap and
 * never block. The app turns it into per-instance metrics; the standalone pool has none.
 */
@FunctionalInterface
public interface RequestObserver {

    RequestObserver NONE = (instanceId, success, nanos) -> {};

    /**
     * @param instanceId the upstream instance the attempt went to
     * @param success    false for a connection error, a 5xx, a time-out or a response cut mid-way
     * @param nanos      from sending the request to the end of the response (or the failure)
     */
    void completed(String instanceId, boolean success, long nanos);
}
