package io.groupai.fleet.app.observe;

import io.groupai.fleet.alerts.AlertFilter;
import io.groupai.fleet.alerts.AlertKind;
import io.groupai.fleet.alerts.AlertService;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.Page;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Alerts: listed newest first, filtered by open/kind/server/account, and resolved by an operator. */
@RestController
@RequestMapping("/api/v1/group-ai/alerts")
class AlertController {

    private static final int MAX_PAGE_SIZE = 1000;

    /** Body of a resolve: why it is resolved (optional). */
    record Resolution(String resolution) {}

    private final AlertService alerts;

    AlertController(AlertService alerts) {
        this.alerts = alerts;
    }

    @GetMapping
    Page<Map<String, Object>> list(
            @RequestParam(required = false) Boolean open,
            @RequestParam(required = false) String kind,
            @RequestParam(name = "server_id", required = false) String serverId,
            @RequestParam(name = "account_id", required = false) String accountId,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        if (page < 0) {
            throw new InvalidInputException("page", "must be 0 or more (pages count from 0)");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidInputException("size", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        AlertKind alertKind = null;
        if (kind != null && !kind.isBlank()) {
            try {
                alertKind = AlertKind.fromWire(kind);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("kind", e.getMessage());
            }
        }
        Page<io.groupai.fleet.alerts.Alert> found = alerts.list(
                new AlertFilter(open, alertKind, blankToNull(serverId), blankToNull(accountId)), page, size);
        return new Page<>(
                found.items().stream().map(AlertService::view).toList(), found.page(), found.size(), found.total());
    }

    @GetMapping("/{id}")
    Map<String, Object> get(@PathVariable long id) {
        return AlertService.view(alerts.get(id));
    }

    /** Resolves an open alert (a resolved one is returned unchanged); sends a "resolved" event to the webhooks. */
    @PostMapping("/{id}/resolve")
    Map<String, Object> resolve(@PathVariable long id, @RequestBody(required = false) Resolution body) {
        String why = body == null || body.resolution() == null ? "resolved by an operator" : body.resolution();
        return AlertService.view(alerts.resolve(id, why));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
