package io.groupai.fleet.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.workflow.WorkflowInterface;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The contracts are the only place that spells workflow type names and failure types: the
 * constants match the workflow interfaces, and no other source file of any module (main or test)
 * has one of them as a string literal.
 */
class ContractsTest {

    /** Surefire runs in the module directory; its parent is the repository root. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private static final Path CONTRACTS = Path.of("workflows/src/main/java/io/groupai/fleet/workflows");
    private static final Pattern ANNOTATED_INTERFACE = Pattern.compile("(?m)^@WorkflowInterface");
    private static final Pattern CHAR_LITERAL = Pattern.compile("'(?:[^'\\\\\\n]|\\\\.)+'");
    private static final Pattern STRING_LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");

    @Test
    void workflowTypesAreTheTypesOfTheWorkflowInterfaces() throws IOException {
        Set<String> declared = new HashSet<>();
        for (Path source : javaSources(ROOT.resolve(CONTRACTS))) {
            if (ANNOTATED_INTERFACE.matcher(Files.readString(source)).find()) {
                Class<?> iface = classOf(ROOT.resolve("workflows/src/main/java").relativize(source));
                assertThat(iface.isAnnotationPresent(WorkflowInterface.class))
                        .as(iface.getName())
                        .isTrue();
                declared.add(WorkflowTypes.of(iface));
            }
        }
        assertThat(declared).as("workflow interfaces in the workflows module").isNotEmpty();
        assertThat(Constants.of(WorkflowTypes.class))
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void failureTypesAreDistinct() {
        assertThat(Constants.of(FailureTypes.class))
                .doesNotHaveDuplicates()
                .allMatch(v -> !v.isBlank())
                .containsExactlyInAnyOrderElementsOf(FailureTypes.all());
    }

    @Test
    void noOtherSourceSpellsOutAContractString() throws IOException {
        Set<String> contracts = new HashSet<>(FailureTypes.all());
        contracts.addAll(WorkflowTypes.all());
        List<String> found = new ArrayList<>();
        for (String module : modules()) {
            for (Path source : javaSources(ROOT.resolve(module).resolve("src"))) {
                Path relative = ROOT.relativize(source);
                if (relative.equals(CONTRACTS.resolve("FailureTypes.java"))
                        || relative.equals(CONTRACTS.resolve("WorkflowTypes.java"))) {
                    continue;
                }
                String text = CHAR_LITERAL.matcher(Files.readString(source)).replaceAll("' '");
                Matcher literal = STRING_LITERAL.matcher(text);
                while (literal.find()) {
                    if (contracts.contains(literal.group(1))) {
                        found.add(relative + ": \"" + literal.group(1) + "\"");
                    }
                }
            }
        }
        assertThat(found)
                .as("use the constants of FailureTypes / WorkflowTypes instead")
                .isEmpty();
    }

    /** The reactor's modules, read from the parent pom so a new module is scanned too. */
    private static List<String> modules() throws IOException {
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        List<String> modules = new ArrayList<>();
        while (module.find()) {
            modules.add(module.group(1).trim());
        }
        assertThat(modules).contains("workflows", "activities", "worker-node", "app");
        return modules;
    }

    private static List<Path> javaSources(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    private static Class<?> classOf(Path relativeSource) {
        String name = relativeSource.toString().replace(".java", "").replace('/', '.');
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(name, e);
        }
    }
}
