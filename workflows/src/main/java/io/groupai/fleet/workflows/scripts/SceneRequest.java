package io.groupai.fleet.workflows.scripts;

import java.util.List;

/** A multi-account scene to play in one group, its lines in order. */
public record SceneRequest(String scriptId, String sceneId, long chatId, List<SceneLine> lines) {}
