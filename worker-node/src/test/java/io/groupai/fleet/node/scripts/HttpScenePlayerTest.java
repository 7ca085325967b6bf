package io.groupai.fleet.node.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.FakeControlPlane;
import io.groupai.fleet.scripts.ChatState;
import io.groupai.fleet.scripts.Decision;
import io.groupai.fleet.scripts.Event;
import io.groupai.fleet.scripts.ScriptEngine;
import io.groupai.fleet.scripts.ScriptParser;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The node asks its control plane to play a scene; it sends ids and the event's values, never lines. */
class HttpScenePlayerTest {

    private static final ScriptEngine ENGINE = new ScriptEngine(ScriptParser.parse("""
            script_id: show-script
            version: "3"
            roles: {host: [acc1], guest: [acc2]}
            scenes:
              - id: show
                triggers: [{type: keyword, keywords: [show]}]
                lines:
                  - {role: host, template: "Welcome to {{chat_title}}, {{first_name}}"}
                  - {role: guest, template: "Thanks!", delay_seconds: 2}
            """));

    @Test
    void postsTheScenesIdsAndValuesToItsOwnNodesPathWithTheNodeToken() throws Exception {
        Decision d = ENGINE.decide(
                        new ChatState(), Event.message(-100L, "Lobby", 7, "Ana", "a show!"), 0, new SplittableRandom(1))
                .orElseThrow();
        try (FakeControlPlane cp = new FakeControlPlane()) {
            HttpScenePlayer player = new HttpScenePlayer(new ControlPlaneHttp(cp.url(), FakeControlPlane.TOKEN), "n1");
            player.play(ENGINE.script(), -100L, "message:7:0:abc", d);

            assertThat(cp.sceneRequests).singleElement().satisfies(r -> {
                assertThat(r.get("path").asText()).isEqualTo("/api/v1/workers/n1/scenes");
                assertThat(r.get("script_id").asText()).isEqualTo("show-script");
                assertThat(r.get("version").asText()).isEqualTo("3");
                assertThat(r.get("scene_id").asText()).isEqualTo("show");
                assertThat(r.get("chat_id").asLong()).isEqualTo(-100L);
                assertThat(r.get("event_key").asText()).isEqualTo("message:7:0:abc");
                JsonNode values = r.get("values");
                assertThat(values.get("chat_title").asText()).isEqualTo("Lobby");
                assertThat(values.get("first_name").asText()).isEqualTo("Ana");
                assertThat(r.has("lines"))
                        .as("the control plane renders its own lines")
                        .isFalse();
            });
            // What the control plane renders from those values is what the node would have said.
            assertThat(ENGINE.sceneLines("show", d.values())).contains(d.lines());
        }
    }

    @Test
    void aRefusalSurfacesAsAnError() throws Exception {
        Decision d = ENGINE.decide(
                        new ChatState(), Event.message(-100L, "Lobby", 7, "Ana", "show"), 0, new SplittableRandom(1))
                .orElseThrow();
        try (FakeControlPlane cp = new FakeControlPlane()) {
            HttpScenePlayer player = new HttpScenePlayer(new ControlPlaneHttp(cp.url(), "not-the-token"), "n1");
            assertThatThrownBy(() -> player.play(ENGINE.script(), -100L, "k", d))
                    .isInstanceOf(ControlPlaneHttp.HttpStatusException.class)
                    .hasMessageContaining("401");
        }
    }
}
