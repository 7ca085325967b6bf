package io.groupai.fleet.app.router;

import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NotFoundException;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The routing pool's API keys kept in the database. A new key is returned once, in the response
 * that creates it; afterwards only its prefix is shown.
 */
@RestController
@RequestMapping("/api/v1/group-ai/router/keys")
class RouterKeyController {

    record NewKey(String name) {}

    private final RouterApiKeyStore keys;

    RouterKeyController(RouterApiKeyStore keys) {
        this.keys = keys;
    }

    @PostMapping
    ResponseEntity<RouterApiKeyStore.CreatedKey> create(@RequestBody NewKey body) {
        if (body == null || body.name() == null || body.name().isBlank()) {
            throw new InvalidInputException("name", "is required (what the key is for)");
        }
        if (body.name().length() > 100) {
            throw new InvalidInputException("name", "must be at most 100 characters");
        }
        RouterApiKeyStore.CreatedKey created = keys.create(body.name().strip());
        return ResponseEntity.created(URI.create("/api/v1/group-ai/router/keys/" + created.id()))
                .body(created);
    }

    @GetMapping
    List<RouterApiKeyStore.KeyView> list() {
        return keys.list();
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable long id) {
        if (!keys.delete(id)) {
            throw new NotFoundException("no routing pool API key with id " + id);
        }
        return ResponseEntity.noContent().build();
    }
}
