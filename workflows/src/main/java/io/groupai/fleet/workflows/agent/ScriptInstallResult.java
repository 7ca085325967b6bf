package io.groupai.fleet.workflows.agent;

import java.util.List;

/** Which version is now active on the node and which accounts reloaded it. */
public record ScriptInstallResult(String scriptId, String version, List<String> reloadedAccounts) {}
