package io.groupai.fleet.registry;

import java.util.List;

/** One page of a listing, with the total so clients can page. */
public record Page<T>(List<T> items, int page, int size, long total) {}
