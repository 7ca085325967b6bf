package io.groupai.fleet.app.backups;

import io.groupai.fleet.app.workflows.StartedWorkflow;
import io.groupai.fleet.app.workflows.WorkflowLauncher;
import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.sessions.SessionBackupActivitiesImpl;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.backup.BackupInfo;
import io.groupai.fleet.workflows.backup.RestoreRequest;
import io.groupai.fleet.workflows.backup.RestoreSessionWorkflow;
import io.groupai.fleet.workflows.backup.SessionBackupRequest;
import io.groupai.fleet.workflows.backup.SessionBackupResult;
import io.groupai.fleet.workflows.backup.SessionBackupWorkflow;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Session backups: list an account's backups (viewer), put one back as its session (operator; a
 * {@link RestoreSessionWorkflow} under the account's id {@code account-<id>}), and run a backup of all running
 * accounts now (operator; {@code session-backup-now}, one at a time).
 */
@RestController
class SessionBackupController {

    static final int MAX_WAIT_SECONDS = 300;
    static final int MAX_ACCOUNTS = 1000;
    private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9_+-]{1,64}");

    private final AccountRepository accounts;
    private final SessionStore store;
    private final WorkflowLauncher launcher;
    private final WorkflowClient client;
    private final SessionBackupProperties properties;

    SessionBackupController(
            AccountRepository accounts,
            SessionStore store,
            WorkflowLauncher launcher,
            WorkflowClient client,
            SessionBackupProperties properties) {
        this.accounts = accounts;
        this.store = store;
        this.launcher = launcher;
        this.client = client;
        this.properties = properties;
    }

    /** An account's backups, newest first, and how many are kept. Checksums and sizes only, never content. */
    record BackupList(String accountId, int keep, List<BackupInfo> backups) {}

    @GetMapping("/api/v1/group-ai/accounts/{accountId}/backups")
    BackupList list(@PathVariable String accountId) {
        AccountRecord account = accounts.get(accountId);
        return new BackupList(
                account.accountId(),
                properties.keep(),
                store.backups(account.accountId()).stream()
                        .map(SessionBackupActivitiesImpl::view)
                        .toList());
    }

    record RestoreView(
            String workflowId, String runId, String statusUrl, String accountId, String serverId, String backupId) {}

    @PostMapping("/api/v1/group-ai/accounts/{accountId}/backups/{backupId}/restore")
    ResponseEntity<RestoreView> restore(@PathVariable String accountId, @PathVariable String backupId) {
        AccountRecord account = accounts.get(accountId);
        if (!SessionStore.BACKUP_ID.matcher(backupId).matches()) {
            throw new InvalidInputException(
                    "backup_id",
                    "not a backup id (e.g. 20261202T061500123Z-1a2b3c); list them with GET /api/v1/group-ai/accounts/"
                            + account.accountId() + "/backups");
        }
        if (store.backup(account.accountId(), backupId).isEmpty()) {
            throw new NotFoundException("account " + account.accountId() + " has no backup " + backupId
                    + "; list them with GET /api/v1/group-ai/accounts/" + account.accountId() + "/backups");
        }
        if (account.serverId() == null) {
            throw new ConflictException("account " + account.accountId() + " runs on no server: a restore puts the"
                    + " backup back where it runs; allocate it first");
        }
        StartedWorkflow started = launcher.start(
                RestoreSessionWorkflow.class,
                WorkflowIds.account(account.accountId()),
                "account:" + account.accountId(),
                w -> w::restore,
                new RestoreRequest(account.accountId(), backupId));
        return ResponseEntity.accepted()
                .body(new RestoreView(
                        started.workflowId(),
                        started.runId(),
                        started.statusUrl(),
                        account.accountId(),
                        account.serverId(),
                        backupId));
    }

    /** Optional body of a run: only these accounts, other keep or parallelism than configured. */
    record RunBody(List<String> accountIds, Integer keep, Integer parallelism) {}

    /**
     * @param complete false: the run did not finish within the wait; follow {@code status_url}
     * @param result   per account: the backup stored, or why not (naming account, server and step)
     */
    record RunView(String workflowId, String runId, String statusUrl, boolean complete, SessionBackupResult result) {}

    @PostMapping("/api/v1/group-ai/session-backups/run")
    ResponseEntity<RunView> run(
            @RequestBody(required = false) JsonNode body,
            @RequestParam(name = "wait_seconds", defaultValue = "0") int waitSeconds) {
        SessionBackupRequest request = request(parse(body));
        StartedWorkflow started = launcher.start(
                SessionBackupWorkflow.class, WorkflowIds.sessionBackupNow(), "fleet", w -> w::backup, request);
        Optional<SessionBackupResult> result = await(started.workflowId(), waitSeconds);
        return ResponseEntity.status(result.isPresent() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .body(new RunView(
                        started.workflowId(),
                        started.runId(),
                        started.statusUrl(),
                        result.isPresent(),
                        result.orElse(null)));
    }

    /**
     * Read strictly (an unknown field or a wrong type is a 400, not ignored: a run stops accounts, so a typo
     * must not silently back up the whole fleet); no body or {@code null} means the configured defaults.
     */
    private static RunBody parse(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return new RunBody(null, null, null);
        }
        if (!body.isObject()) {
            throw new InvalidInputException(
                    "body", "must be a JSON object, e.g. {\"account_ids\": [\"639277356155\"], \"keep\": 3}");
        }
        List<FieldProblem> problems = new ArrayList<>();
        for (String field : body.propertyNames()) {
            if (!List.of("account_ids", "keep", "parallelism").contains(field)) {
                problems.add(new FieldProblem(
                        field.length() > 64 ? field.substring(0, 64) + "..." : field,
                        "unknown field (allowed: account_ids, keep, parallelism)"));
            }
        }
        Integer keep = integer(body.get("keep"), "keep", problems);
        Integer parallelism = integer(body.get("parallelism"), "parallelism", problems);
        List<String> ids = null;
        JsonNode list = body.get("account_ids");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                problems.add(new FieldProblem("account_ids", "must be a list of account ids"));
            } else if (list.size() > MAX_ACCOUNTS) {
                problems.add(new FieldProblem("account_ids", "at most " + MAX_ACCOUNTS + " accounts"));
            } else {
                ids = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    JsonNode id = list.get(i);
                    ids.add(id.isString() ? id.asString() : null);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return new RunBody(ids, keep, parallelism);
    }

    private static Integer integer(JsonNode value, String field, List<FieldProblem> problems) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            problems.add(new FieldProblem(field, "must be a whole number"));
            return null;
        }
        return value.asInt();
    }

    private SessionBackupRequest request(RunBody body) {
        List<FieldProblem> problems = new ArrayList<>();
        if (body.keep() != null && (body.keep() < 1 || body.keep() > 100)) {
            problems.add(new FieldProblem("keep", "must be between 1 and 100"));
        }
        if (body.parallelism() != null && (body.parallelism() < 1 || body.parallelism() > 64)) {
            problems.add(new FieldProblem("parallelism", "must be between 1 and 64"));
        }
        List<String> ids = body.accountIds();
        if (ids != null) {
            if (ids.size() > MAX_ACCOUNTS) {
                problems.add(new FieldProblem("account_ids", "at most " + MAX_ACCOUNTS + " accounts"));
            } else {
                for (int i = 0; i < ids.size(); i++) {
                    String id = ids.get(i);
                    if (id == null || !ACCOUNT_ID.matcher(id).matches()) {
                        problems.add(new FieldProblem(
                                "account_ids[" + i + "]", "not an account id (letters, digits, _ + -; 1-64)"));
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return new SessionBackupRequest(
                body.keep() == null ? properties.keep() : body.keep(),
                body.parallelism() == null ? properties.parallelism() : body.parallelism(),
                ids == null || ids.isEmpty() ? null : List.copyOf(ids));
    }

    private Optional<SessionBackupResult> await(String workflowId, int waitSeconds) {
        int seconds = Math.max(0, Math.min(waitSeconds, MAX_WAIT_SECONDS));
        if (seconds == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(client.newUntypedWorkflowStub(workflowId)
                    .getResult(seconds, TimeUnit.SECONDS, SessionBackupResult.class));
        } catch (TimeoutException e) {
            return Optional.empty();
        }
    }
}
