package io.groupai.fleet.app.temporal;

import static io.groupai.fleet.workflows.SearchAttributeKeys.ACCOUNT_ID;
import static io.groupai.fleet.workflows.SearchAttributeKeys.MAX_LISTED;
import static io.groupai.fleet.workflows.SearchAttributeKeys.NODE_ID;
import static io.groupai.fleet.workflows.SearchAttributeKeys.OPERATION;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The custom search attributes set on every workflow the app starts, so the Temporal UI and
 * {@code temporal workflow list --query 'AccountId="639277356155"'} find an account's or a node's
 * workflows: {@code AccountId} and {@code NodeId} (KeywordList: an allocation covers several
 * accounts, a batch several nodes; {@code AccountId="x"} matches a list containing x) and
 * {@code Operation} (Keyword). On a server the app runs itself they are registered at each start;
 * on an external cluster only those an operator registered are used (a start naming an unknown
 * attribute would be refused).
 */
@Component
public class WorkflowSearchAttributes {

    /** A cluster that does not answer must not hold up the start for long. */
    private static final long CALL_TIMEOUT_SECONDS = 10;

    private static final Logger log = LoggerFactory.getLogger(WorkflowSearchAttributes.class);
    private static final Map<String, IndexedValueType> TYPES = Map.of(
            ACCOUNT_ID.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
            NODE_ID.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
            OPERATION.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    /** The same mapper the Temporal data converter uses, so fields are read as the workflow sees them. */
    private static final ObjectMapper JSON = JacksonJsonPayloadConverter.newDefaultObjectMapper();

    private final Set<String> available;

    @Autowired
    WorkflowSearchAttributes(
            WorkflowServiceStubs stubs,
            @Value("${spring.temporal.namespace:default}") String namespace,
            ObjectProvider<EmbeddedTemporal> embedded) {
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setChannel(stubs.getRawChannel())
                .validateAndBuildWithDefaults());
        try {
            this.available = embedded.getIfAvailable() != null
                    ? register(operator, namespace)
                    : registeredOnCluster(operator, namespace);
        } finally {
            operator.shutdown();
        }
    }

    /** Only the given attributes are usable (tests). */
    WorkflowSearchAttributes(Set<String> available) {
        this.available = Set.copyOf(available);
    }

    /** The attributes for a workflow start, read from its type and its (JSON-shaped) input. */
    public SearchAttributes of(String workflowType, Object input) {
        Map<?, ?> fields = input == null ? Map.of() : JSON.convertValue(input, Map.class);
        Set<String> accounts = new LinkedHashSet<>();
        Set<String> nodes = new LinkedHashSet<>();
        addText(accounts, fields.get("accountId"));
        if (fields.get("accountIds") instanceof Collection<?> ids) {
            ids.forEach(id -> addText(accounts, id));
        }
        if (fields.get("targets") instanceof Collection<?> targets) {
            for (Object target : targets) {
                if (target instanceof Map<?, ?> t) {
                    addText(accounts, t.get("accountId"));
                    addText(nodes, t.get("serverId"));
                }
            }
        }
        addText(nodes, fields.get("nodeId"));
        for (String key : List.of("serverIds", "nodeIds")) {
            if (fields.get(key) instanceof Collection<?> ids) {
                ids.forEach(id -> addText(nodes, id));
            }
        }
        addText(nodes, fields.get("targetServerId"));

        SearchAttributes.Builder attributes = SearchAttributes.newBuilder();
        if (!accounts.isEmpty() && accounts.size() <= MAX_LISTED && available.contains(ACCOUNT_ID.getName())) {
            attributes.set(ACCOUNT_ID, List.copyOf(accounts));
        }
        if (!nodes.isEmpty() && nodes.size() <= MAX_LISTED && available.contains(NODE_ID.getName())) {
            attributes.set(NODE_ID, List.copyOf(nodes));
        }
        if (available.contains(OPERATION.getName())) {
            attributes.set(OPERATION, operation(workflowType, fields.get("action")));
        }
        return attributes.build();
    }

    /** The Operation attribute's value for a start of this type with this input, e.g. "migrate" or "restart". */
    public static String operationOf(String workflowType, Object input) {
        Map<?, ?> fields = input == null ? Map.of() : JSON.convertValue(input, Map.class);
        return operation(workflowType, fields.get("action"));
    }

    private static String operation(String workflowType, Object action) {
        return switch (workflowType) {
            case WorkflowTypes.ALLOCATE_ACCOUNTS -> "allocate";
            case WorkflowTypes.MIGRATE_ACCOUNT -> "migrate";
            case WorkflowTypes.BOOTSTRAP_NODE -> "bootstrap";
            case WorkflowTypes.RECONCILE, WorkflowTypes.RECONCILE_CHUNK -> "reconcile";
            case WorkflowTypes.REBALANCE -> "rebalance";
            case WorkflowTypes.DEPLOY_SCRIPT -> "deploy";
            case WorkflowTypes.ROLLING_UPGRADE -> "upgrade";
            case WorkflowTypes.SESSION_BACKUP, WorkflowTypes.BACKUP_ACCOUNT -> "session-backup";
            case WorkflowTypes.RESTORE_SESSION -> "restore";
            case WorkflowTypes.SERVER_OPERATION ->
                action == null ? "server" : action.toString().toLowerCase(Locale.ROOT);
            default -> workflowType;
        };
    }

    private static void addText(Set<String> into, Object value) {
        if (value instanceof String s && !s.isBlank()) {
            into.add(s);
        }
    }

    private static Set<String> register(OperatorServiceStubs operator, String namespace) {
        // One request per attribute: a request naming one that exists (a dev server restarted on its
        // database) fails as a whole.
        for (Map.Entry<String, IndexedValueType> attribute : TYPES.entrySet()) {
            try {
                operator.blockingStub()
                        .withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                        .addSearchAttributes(AddSearchAttributesRequest.newBuilder()
                                .setNamespace(namespace)
                                .putSearchAttributes(attribute.getKey(), attribute.getValue())
                                .build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                    throw new IllegalStateException(
                            "cannot register the search attribute " + attribute.getKey() + " on the Temporal server: "
                                    + e.getStatus(),
                            e);
                }
            }
        }
        log.info("search attributes {} registered in namespace {}", TYPES.keySet(), namespace);
        return TYPES.keySet();
    }

    private static Set<String> registeredOnCluster(OperatorServiceStubs operator, String namespace) {
        Map<String, IndexedValueType> registered = new LinkedHashMap<>();
        try {
            registered.putAll(operator.blockingStub()
                    .withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .listSearchAttributes(ListSearchAttributesRequest.newBuilder()
                            .setNamespace(namespace)
                            .build())
                    .getCustomAttributesMap());
        } catch (StatusRuntimeException e) {
            log.warn(
                    "cannot list the search attributes of namespace {} ({})",
                    namespace,
                    e.getStatus().getCode());
        }
        Map<String, IndexedValueType> usable = new LinkedHashMap<>();
        TYPES.forEach((name, type) -> {
            if (registered.get(name) == type) {
                usable.put(name, type);
            }
        });
        if (usable.size() < TYPES.size()) {
            log.warn(
                    "namespace {} lacks the search attributes {} (or has them with another type); workflows start "
                            + "without them. Register them once: {}",
                    namespace,
                    TYPES.keySet().stream().filter(n -> !usable.containsKey(n)).toList(),
                    TYPES.entrySet().stream()
                            .filter(e -> !usable.containsKey(e.getKey()))
                            .map(e -> "temporal operator search-attribute create --namespace " + namespace + " --name "
                                    + e.getKey() + " --type " + cliType(e.getValue()))
                            .collect(Collectors.joining("; ")));
        }
        return Set.copyOf(usable.keySet());
    }

    private static String cliType(IndexedValueType type) {
        return Objects.equals(type, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST) ? "KeywordList" : "Keyword";
    }
}
