package io.groupai.fleet.app.router;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.router.RoutingPool;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The in-app routing pool through the operator API, for the admin pages and scripts: {@code GET
 * /router/status} (viewer) answers what the pool's own {@code /router/status} does — strategy and,
 * per instance, id, port, weight, enabled, status, concurrency, requests, last heartbeat — with
 * {@code running}, its port and its config; or {@code running: false} and why. {@code POST
 * /router/instances/{id}/enable|disable} (operator) routes to an instance again or stops routing to
 * it. The pool's own port may be unreachable from a person's browser; the app's port is not.
 */
@RestController
@RequestMapping("/api/v1/group-ai/router")
class RouterStatusController {

    private final ObjectProvider<EmbeddedRoutingPool> embedded;
    private final RouterProperties properties;

    RouterStatusController(ObjectProvider<EmbeddedRoutingPool> embedded, RouterProperties properties) {
        this.embedded = embedded;
        this.properties = properties;
    }

    // The pool's status is a Jackson 2 tree (the router module's own Jackson); written as its JSON text.
    @GetMapping("/status")
    ResponseEntity<String> status() {
        RoutingPool pool = running();
        if (pool == null) {
            ObjectNode off = JsonNodeFactory.instance.objectNode();
            off.put("running", false);
            off.put("config", properties.config().toAbsolutePath().toString());
            off.put("message", notRunning());
            off.putArray("instances");
            return json(off);
        }
        ObjectNode status = pool.status();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("running", true);
        root.put("port", pool.port());
        root.put("config", properties.config().toAbsolutePath().toString());
        root.setAll(status);
        return json(root);
    }

    @PostMapping("/instances/{id}/{action}")
    ResponseEntity<String> enableOrDisable(@PathVariable String id, @PathVariable String action) {
        boolean enable = switch (action) {
            case "enable" -> true;
            case "disable" -> false;
            default ->
                throw new ResponseStatusException(
                        HttpStatus.NOT_FOUND,
                        "no action '" + action + "' on a routing-pool instance; use enable or disable");
        };
        RoutingPool pool = running();
        if (pool == null) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, notRunning());
        }
        ObjectNode instance = pool.setEnabled(id, enable, "the operator API")
                .orElseThrow(() -> new NotFoundException("routing-pool instance " + id + " does not exist (config "
                        + properties.config().toAbsolutePath() + ")"));
        return json(instance);
    }

    private static ResponseEntity<String> json(ObjectNode body) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body.toString());
    }

    private RoutingPool running() {
        EmbeddedRoutingPool e = embedded.getIfAvailable();
        return e == null ? null : e.pool();
    }

    private String notRunning() {
        if (!properties.enabled() || embedded.getIfAvailable() == null) {
            return "not running: the routing pool is off in this app (groupai.router.enabled=false)";
        }
        String error = embedded.getIfAvailable().startError();
        if (error != null) {
            return "not running: the config at " + properties.config().toAbsolutePath() + " cannot be served (" + error
                    + "); fix the file and the pool starts within seconds";
        }
        return "not running: no config at " + properties.config().toAbsolutePath()
                + " (groupai.router.config); the pool starts on port " + properties.port()
                + " within seconds of the file appearing";
    }
}
