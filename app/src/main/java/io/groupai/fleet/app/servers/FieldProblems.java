package io.groupai.fleet.app.servers;

import io.groupai.fleet.registry.FieldProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

final class FieldProblems {

    private FieldProblems() {}

    /**
     * Reading problems (wrong type, unset variable) plus validation problems of the fields that
     * were read; a field that could not be read is reported once, for the reason it could not.
     */
    static List<FieldProblem> merge(List<FieldProblem> reading, List<FieldProblem> validation) {
        Set<String> seen = reading.stream().map(FieldProblem::field).collect(Collectors.toSet());
        List<FieldProblem> all = new ArrayList<>(reading);
        validation.stream().filter(p -> !seen.contains(p.field())).forEach(all::add);
        return all;
    }
}
