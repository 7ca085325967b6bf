package io.groupai.fleet.workflows.nodes;

import java.util.List;

public record RollingUpgradeResult(boolean success, List<ServerUpgrade> servers, String message) {}
