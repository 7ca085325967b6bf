package io.groupai.fleet.app.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UrlPathHelper;

/**
 * Which role each operator request needs, in one place (the authorization check, the 403 message and
 * the tests all read it), and the audit action it counts as.
 *
 * <ul>
 *   <li>admin: server registry writes (create, update, delete, import, host-key pins, node-token
 *       rotation), users, API tokens, routing-pool keys,
 *       the audit log;
 *   <li>viewer: every other read (GET, HEAD), and a script's dry run ({@code POST
 *       /scripts/{id}/dry-run}): it is a POST only because it carries an event to test; it computes
 *       an answer from the stored script and changes nothing (no row, no workflow, no message), so
 *       whoever may read the script may see what it would do; likewise a script's validation
 *       ({@code POST /scripts/validate}: parses, stores nothing) and the routing pool's status;
 *   <li>operator: every other change — allocations, migrations, deployments (bootstrap, node commands,
 *       scripts, rolling upgrades), script uploads and deletions, reconciliation runs, rebalance runs ({@code POST
 *       /rebalance}, its dry run included: the role is decided by method and path, never by the body;
 *       viewers get the same dry run as {@code GET /rebalance/plan}), server operations, accounts,
 *       session uploads, session backup runs and restores, logins, an account's Telegram user id and its allowed groups
 *       ({@code PUT /accounts/{id}/groups}).
 * </ul>
 *
 * <p>A node token (no operator role) opens one operator path: {@code GET /scripts/{id}/download},
 * the URL the script deployment and update_script give to every node ({@link #nodeMayCall}).
 *
 * <p>Not operator paths, so no role opens them: {@code POST /api/v1/auth/token} is open to anyone, rate
 * limited per username and per client address ({@code SignInLimiter}); node calls under
 * {@code /api/v1/workers/**} go through the node-token chain, whose controllers check the token against
 * the node the path names. Among them {@link #NODE_DATABASE_KEY}: an account's TDLib database key, only
 * to the node the account is assigned or reserved to (401 another node's token, 403 another node's
 * account, 404 no such account); an operator's token opens it for nobody.
 */
@Component
public class AccessRules implements AuthorizationManager<RequestAuthorizationContext> {

    private static final String SERVERS = "/api/v1/group-ai/servers";
    private static final List<Pattern> ADMIN_ANY_METHOD = List.of(
            Pattern.compile("/api/v1/auth/users(/.*)?"),
            Pattern.compile("/api/v1/auth/api-tokens(/.*)?"),
            Pattern.compile("/api/v1/audit(/.*)?"),
            // API keys of the routing pool are keys: admins only, reads included.
            Pattern.compile("/api/v1/group-ai/router/keys(/.*)?"));
    private static final Pattern SERVER_COLLECTION = Pattern.compile(SERVERS + "/?");
    private static final Pattern SERVER_IMPORT = Pattern.compile(SERVERS + "/import/?");
    private static final Pattern ONE_SERVER = Pattern.compile(SERVERS + "/[^/]+/?");
    private static final Pattern HOST_KEY = Pattern.compile(SERVERS + "/[^/]+/host-key/?");
    private static final Pattern NODE_TOKEN = Pattern.compile(SERVERS + "/[^/]+/node-token/rotate/?");
    private static final Pattern SERVER_ACTION = Pattern.compile(SERVERS + "/([^/]+)/actions/([^/]+)/?");
    private static final Pattern BOOTSTRAP = Pattern.compile(SERVERS + "/[^/]+/bootstrap/?");
    private static final Pattern NODE_COMMANDS = Pattern.compile(SERVERS + "/[^/]+/commands/?");
    private static final Pattern SESSION = Pattern.compile("/api/v1/group-ai/accounts/[^/]+/session/?");
    private static final Pattern LOGIN = Pattern.compile("/api/v1/group-ai/accounts/[^/]+/login(/.*)?");
    private static final Pattern ACCOUNTS = Pattern.compile("/api/v1/group-ai/accounts(/[^/]+)?/?");
    private static final Pattern TELEGRAM_USER = Pattern.compile("/api/v1/group-ai/accounts/[^/]+/telegram-user/?");
    private static final Pattern ACCOUNT_GROUPS = Pattern.compile("/api/v1/group-ai/accounts/[^/]+/groups/?");
    private static final String SCRIPTS = "/api/v1/group-ai/scripts";
    private static final Pattern SCRIPT_DEPLOY = Pattern.compile(SCRIPTS + "/deploy/?");
    private static final Pattern SCRIPT_DRY_RUN = Pattern.compile(SCRIPTS + "/[^/]+/dry-run/?");
    /** Parses a script and stores nothing (the editor's validation as you type). */
    private static final Pattern SCRIPT_VALIDATE = Pattern.compile(SCRIPTS + "/validate/?");

    private static final Pattern ROUTER_INSTANCE = Pattern.compile("/api/v1/group-ai/router/instances/[^/]+/([^/]+)/?");
    private static final Pattern SCRIPT = Pattern.compile(SCRIPTS + "(/[^/]+)?/?");
    private static final Pattern SCRIPT_DOWNLOAD = Pattern.compile(SCRIPTS + "/[^/]+/download/?");
    private static final Pattern UPGRADES = Pattern.compile("/api/v1/group-ai/upgrades/?");
    /** {@code GET /api/v1/workers/{node}/accounts/{account}/database-key}: node token of {node} only. */
    public static final Pattern NODE_DATABASE_KEY =
            Pattern.compile("/api/v1/workers/[^/]+/accounts/[^/]+/database-key");

    private static final Pattern RECONCILIATION = Pattern.compile("/api/v1/group-ai/reconciliation/?");
    private static final Pattern REBALANCE = Pattern.compile("/api/v1/group-ai/rebalance/?");
    private static final Pattern BACKUP_RESTORE =
            Pattern.compile("/api/v1/group-ai/accounts/[^/]+/backups/[^/]+/restore/?");
    private static final Pattern BACKUP_RUN = Pattern.compile("/api/v1/group-ai/session-backups/run/?");

    @Override
    public AuthorizationResult authorize(
            Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        Authentication who = authentication.get();
        HttpServletRequest request = context.getRequest();
        if (who instanceof NodeDownloadAuthentication) {
            return new AuthorizationDecision(nodeMayCall(request.getMethod(), path(request)));
        }
        if (who == null || !(who instanceof FleetAuthentication fleet)) {
            return new AuthorizationDecision(false);
        }
        return new AuthorizationDecision(fleet.role().includes(required(request.getMethod(), path(request))));
    }

    /**
     * The only operator-API request a node token opens: downloading a script, whose URL the deployment
     * workflow and update_script give to every node (one URL for all of them, so it names no node).
     */
    public static boolean nodeMayCall(String method, String path) {
        return ("GET".equals(method) || "HEAD".equals(method))
                && SCRIPT_DOWNLOAD.matcher(path).matches();
    }

    /** The role a request needs (operator paths only; health, sign-in and node calls are decided elsewhere). */
    public static Role required(String method, String path) {
        for (Pattern p : ADMIN_ANY_METHOD) {
            if (p.matcher(path).matches()) {
                return Role.ADMIN;
            }
        }
        boolean read = "GET".equals(method) || "HEAD".equals(method);
        if (read
                || ("POST".equals(method)
                        && (SCRIPT_DRY_RUN.matcher(path).matches()
                                || SCRIPT_VALIDATE.matcher(path).matches()))) {
            return Role.VIEWER;
        }
        if (SERVER_COLLECTION.matcher(path).matches()
                || SERVER_IMPORT.matcher(path).matches()
                || ONE_SERVER.matcher(path).matches()
                || HOST_KEY.matcher(path).matches()
                || NODE_TOKEN.matcher(path).matches()) {
            return Role.ADMIN;
        }
        return Role.OPERATOR;
    }

    /** The audit action of a change made through the API. */
    public static String action(String method, String path) {
        Matcher serverAction = SERVER_ACTION.matcher(path);
        if (serverAction.matches()) {
            return "server." + serverAction.group(2);
        }
        if (path.startsWith("/api/v1/group-ai/account-allocation/")
                || path.startsWith("/api/v1/group-ai/accounts/allocate")) {
            return "allocation." + last(path);
        }
        if (path.startsWith("/api/v1/group-ai/accounts/rebalance")) {
            return "migration.rebalance";
        }
        if (BOOTSTRAP.matcher(path).matches()) {
            return "deployment.bootstrap";
        }
        if (NODE_COMMANDS.matcher(path).matches()) {
            return "deployment.command";
        }
        if (UPGRADES.matcher(path).matches()) {
            return "deployment.upgrade";
        }
        if (SERVER_IMPORT.matcher(path).matches()) {
            return "registry.import";
        }
        if (NODE_TOKEN.matcher(path).matches()) {
            return "registry.node_token.rotate";
        }
        if (HOST_KEY.matcher(path).matches()) {
            return "registry.host_key." + verb(method);
        }
        if (SERVER_COLLECTION.matcher(path).matches()
                || ONE_SERVER.matcher(path).matches()) {
            return "registry.server." + verb(method);
        }
        if (SCRIPT_DEPLOY.matcher(path).matches()) {
            return "deployment.script";
        }
        if (SCRIPT_DRY_RUN.matcher(path).matches()) {
            return "script.dry_run";
        }
        if (SCRIPT_VALIDATE.matcher(path).matches()) {
            return "script.validate";
        }
        Matcher routerInstance = ROUTER_INSTANCE.matcher(path);
        if (routerInstance.matches()) {
            return "router.instance." + routerInstance.group(1);
        }
        if (SCRIPT.matcher(path).matches()) {
            return "script." + verb(method);
        }
        if (RECONCILIATION.matcher(path).matches()) {
            return "reconcile.run";
        }
        if (REBALANCE.matcher(path).matches()) {
            return "rebalance.run";
        }
        if (BACKUP_RESTORE.matcher(path).matches()) {
            return "session.backup.restore";
        }
        if (BACKUP_RUN.matcher(path).matches()) {
            return "session.backup.run";
        }
        if (TELEGRAM_USER.matcher(path).matches()) {
            return "account.telegram_user." + verb(method);
        }
        if (ACCOUNT_GROUPS.matcher(path).matches()) {
            return "account.groups." + verb(method);
        }
        if (SESSION.matcher(path).matches()) {
            return "session.upload";
        }
        if (LOGIN.matcher(path).matches()) {
            return "account.login";
        }
        if (ACCOUNTS.matcher(path).matches()) {
            return "account." + verb(method);
        }
        if (path.startsWith("/api/v1/sim-telegram/")) {
            return "simnet." + verb(method);
        }
        return "api." + verb(method);
    }

    /**
     * The request's path inside the app, decoded as the controllers see it: judged on the raw URI,
     * {@code POST /api/v1/group-ai/%73ervers} would pass for an operator path and still reach the
     * admin-only handler.
     */
    public static String path(HttpServletRequest request) {
        return UrlPathHelper.defaultInstance.getPathWithinApplication(request);
    }

    private static String verb(String method) {
        return switch (method) {
            case "POST" -> "create";
            case "PUT", "PATCH" -> "update";
            case "DELETE" -> "delete";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String last(String path) {
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
