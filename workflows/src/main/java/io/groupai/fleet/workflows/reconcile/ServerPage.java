package io.groupai.fleet.workflows.reconcile;

import java.util.List;

/**
 * One page of the servers to compare, in node id order: ids only (each page's child reads their status and
 * heartbeats itself, so no running list passes through the parent).
 *
 * @param serverIds the page, at most the requested size
 * @param total     how many servers the run compares in all (for its progress)
 */
public record ServerPage(List<String> serverIds, int total) {}
