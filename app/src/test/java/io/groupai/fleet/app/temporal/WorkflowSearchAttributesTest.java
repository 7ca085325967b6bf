package io.groupai.fleet.app.temporal;

import static io.groupai.fleet.workflows.SearchAttributeKeys.ACCOUNT_ID;
import static io.groupai.fleet.workflows.SearchAttributeKeys.NODE_ID;
import static io.groupai.fleet.workflows.SearchAttributeKeys.OPERATION;
import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.SearchAttributeKeys;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.groupai.fleet.workflows.allocation.AllocationRequest;
import io.groupai.fleet.workflows.allocation.FixedTarget;
import io.groupai.fleet.workflows.allocation.MigrationRequest;
import io.groupai.fleet.workflows.nodes.BootstrapRequest;
import io.temporal.common.SearchAttributes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which search attributes each workflow input gets. */
class WorkflowSearchAttributesTest {

    final WorkflowSearchAttributes all = new WorkflowSearchAttributes(Set.of("AccountId", "NodeId", "Operation"));

    @Test
    void anAllocationNamesAllItsAccounts() {
        SearchAttributes attributes = all.of(
                WorkflowTypes.ALLOCATE_ACCOUNTS,
                AllocationRequest.accounts("balanced", List.of("639277356155", "639277333688")));
        assertThat(attributes.get(ACCOUNT_ID)).containsExactly("639277356155", "639277333688");
        assertThat(attributes.containsKey(NODE_ID)).isFalse();
        assertThat(attributes.get(OPERATION)).isEqualTo("allocate");
    }

    @Test
    void aBatchNamesItsAccountsAndServers() {
        SearchAttributes attributes = all.of(
                WorkflowTypes.ALLOCATE_ACCOUNTS,
                AllocationRequest.fixed(List.of(
                        new FixedTarget("a1", "worker-01"),
                        new FixedTarget("a2", "manila"),
                        new FixedTarget("a3", "worker-01"))));
        assertThat(attributes.get(ACCOUNT_ID)).containsExactly("a1", "a2", "a3");
        assertThat(attributes.get(NODE_ID)).containsExactly("worker-01", "manila");
    }

    @Test
    void tooManyAccountsForOneAttributeAreLeftOut() {
        List<String> many = IntStream.range(0, SearchAttributeKeys.MAX_LISTED + 1)
                .mapToObj(i -> "acct-" + i)
                .toList();
        SearchAttributes attributes =
                all.of(WorkflowTypes.ALLOCATE_ACCOUNTS, AllocationRequest.accounts("balanced", many));
        assertThat(attributes.containsKey(ACCOUNT_ID)).isFalse();
        assertThat(attributes.get(OPERATION)).isEqualTo("allocate");
    }

    @Test
    void migrationBootstrapAndScheduledServerOperation() {
        SearchAttributes migration =
                all.of(WorkflowTypes.MIGRATE_ACCOUNT, new MigrationRequest("639277356598", "los-angeles", "x", null));
        assertThat(migration.get(ACCOUNT_ID)).containsExactly("639277356598");
        assertThat(migration.get(NODE_ID)).containsExactly("los-angeles");
        assertThat(migration.get(OPERATION)).isEqualTo("migrate");

        assertThat(all.of(WorkflowTypes.BOOTSTRAP_NODE, new BootstrapRequest("worker-01"))
                        .get(OPERATION))
                .isEqualTo("bootstrap");
        // A Schedule's input comes from configuration as plain JSON fields.
        SearchAttributes scheduled =
                all.of(WorkflowTypes.SERVER_OPERATION, Map.of("nodeId", "worker-01", "action", "STATUS"));
        assertThat(scheduled.get(NODE_ID)).containsExactly("worker-01");
        assertThat(scheduled.get(OPERATION)).isEqualTo("status");
    }

    @Test
    void onlyAttributesTheClusterHasAreSet() {
        SearchAttributes attributes = new WorkflowSearchAttributes(Set.of("Operation"))
                .of(WorkflowTypes.SERVER_OPERATION, Map.of("nodeId", "worker-01", "action", "RESTART"));
        assertThat(attributes.size()).isEqualTo(1);
        assertThat(attributes.get(OPERATION)).isEqualTo("restart");
    }
}
