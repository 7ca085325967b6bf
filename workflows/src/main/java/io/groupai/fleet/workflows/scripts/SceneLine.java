package io.groupai.fleet.workflows.scripts;

import java.util.List;

/** A rendered line of a multi-account scene: said by the first of {@code accounts} that can, after the delay. */
public record SceneLine(String role, List<String> accounts, String text, double delaySeconds) {}
