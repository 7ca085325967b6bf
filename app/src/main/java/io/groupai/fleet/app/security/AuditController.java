package io.groupai.fleet.app.security;

import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.Page;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The audit log (admin only), newest first, filtered by actor and action. */
@RestController
class AuditController {

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/api/v1/audit")
    Page<AuditLog.Entry> find(
            @RequestParam(required = false) String actor,
            @RequestParam(required = false) String action,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        if (page < 0) {
            throw new InvalidInputException("page", "must be 0 or more (pages count from 0)");
        }
        if (size < 1 || size > 500) {
            throw new InvalidInputException("size", "must be between 1 and 500");
        }
        if ((actor != null && actor.length() > 100) || (action != null && action.length() > 64)) {
            throw new InvalidInputException("actor", "actor is at most 100 characters, action at most 64");
        }
        return audit.find(actor, action, page, size);
    }
}
