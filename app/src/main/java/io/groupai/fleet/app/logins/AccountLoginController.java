package io.groupai.fleet.app.logins;

import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NotFoundException;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operator's side of an interactive Telegram login: phone number, then the code Telegram sends,
 * then (two-step verification) the password. Values go to the node the account is placed on through
 * {@link LoginStore} and the node's long poll, never through Temporal; answers never echo them.
 */
@RestController
@RequestMapping("/api/v1/group-ai/accounts/{accountId}/login")
class AccountLoginController {

    private static final Pattern PHONE = Pattern.compile("\\+?[0-9]{7,15}");
    private static final Pattern CODE = Pattern.compile("[0-9]{4,10}");
    private static final int MAX_PASSWORD = 256;

    private final LoginStore logins;
    private final AccountRepository accounts;
    private final JsonMapper json;

    AccountLoginController(LoginStore logins, AccountRepository accounts, JsonMapper json) {
        this.logins = logins;
        this.accounts = accounts;
        this.json = json;
    }

    /**
     * Parsed here rather than by Spring: a parser's error message quotes the offending token, and in
     * these bodies that token may be the password. The problem says only that the JSON is malformed.
     */
    private JsonNode parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            JsonNode node = json.readTree(raw);
            if (node == null || !node.isObject()) {
                throw new InvalidInputException("body", "must be a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new InvalidInputException(
                    "body",
                    "is not valid JSON (details withheld: the body may hold a secret);"
                            + " send a JSON object with Content-Type: application/json");
        }
    }

    @PostMapping
    ResponseEntity<LoginStore.View> start(@PathVariable String accountId, @RequestBody(required = false) String raw) {
        AccountRecord account = accounts.get(accountId);
        JsonNode body = parse(raw);
        if (account.serverId() == null) {
            throw new ConflictException(
                    "account " + accountId + " is not placed on any server, so no node can log it in;"
                            + " allocate it with POST /api/v1/group-ai/accounts/allocate");
        }
        // Spaces, dashes and brackets as people type them; what Telegram gets is the digits with an optional '+'.
        String phone = text(
                        body,
                        "phone_number",
                        "the account's phone number in international format, e.g. \"+4915112345678\"")
                .replaceAll("[\\s()\\-.]", "");
        if (!PHONE.matcher(phone).matches()) {
            throw new InvalidInputException(
                    "phone_number",
                    "must be a phone number in international format: an optional '+'"
                            + " and 7 to 15 digits, e.g. \"+4915112345678\"");
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(logins.start(accountId, account.serverId(), phone));
    }

    @PostMapping("/code")
    ResponseEntity<LoginStore.View> code(@PathVariable String accountId, @RequestBody(required = false) String raw) {
        accounts.get(accountId);
        String code = text(parse(raw), "code", "the login code Telegram sent, e.g. \"12345\"")
                .strip();
        if (!CODE.matcher(code).matches()) {
            throw new InvalidInputException("code", "must be the 4 to 10 digit login code Telegram sent");
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(logins.submit(accountId, "code", code));
    }

    @PostMapping("/password")
    ResponseEntity<LoginStore.View> password(
            @PathVariable String accountId, @RequestBody(required = false) String raw) {
        accounts.get(accountId);
        // Not stripped: spaces may be part of a password.
        String password = text(parse(raw), "password", "the account's two-step verification password");
        if (password.isEmpty() || password.length() > MAX_PASSWORD) {
            throw new InvalidInputException("password", "must be 1 to " + MAX_PASSWORD + " characters");
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(logins.submit(accountId, "password", password));
    }

    @GetMapping
    LoginStore.View get(@PathVariable String accountId) {
        accounts.get(accountId);
        return logins.view(accountId);
    }

    @DeleteMapping
    ResponseEntity<Void> cancel(@PathVariable String accountId) {
        accounts.get(accountId);
        if (!logins.cancel(accountId)) {
            throw new NotFoundException("no login is in progress for account " + accountId);
        }
        return ResponseEntity.noContent().build();
    }

    /** A required string field; the problem names the field and never quotes what was sent. */
    private static String text(JsonNode body, String field, String what) {
        JsonNode value = body == null ? null : body.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidInputException(field, "is required: " + what);
        }
        if (!value.isString()) {
            throw new InvalidInputException(field, "must be a string: " + what);
        }
        return value.stringValue();
    }
}
