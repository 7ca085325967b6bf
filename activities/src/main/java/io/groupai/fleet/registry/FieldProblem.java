package io.groupai.fleet.registry;

/** One thing wrong with an input: which field, what is wrong, and how to fix it. */
public record FieldProblem(String field, String message) {}
