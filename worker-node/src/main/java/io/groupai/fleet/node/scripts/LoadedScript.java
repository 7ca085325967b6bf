package io.groupai.fleet.node.scripts;

import io.groupai.fleet.scripts.ScriptEngine;

/** An installed script version, validated and compiled once, shared by every account that runs it. */
public record LoadedScript(String scriptId, String version, ScriptEngine engine) {}
