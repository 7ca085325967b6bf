package io.groupai.fleet.allocation;

import io.groupai.fleet.registry.FieldProblem;
import java.util.List;

/** A batch allocation refused as a whole, with one problem per offending item; nothing was reserved. */
public class BatchRejectedException extends RuntimeException {

    private final List<FieldProblem> problems;
    private final boolean conflict;

    public BatchRejectedException(List<FieldProblem> problems, boolean conflict) {
        super(problems.size() + " of the batch's allocations cannot be made; nothing was reserved");
        this.problems = List.copyOf(problems);
        this.conflict = conflict;
    }

    public List<FieldProblem> problems() {
        return problems;
    }

    /** True when every problem is a state conflict (409); false when some item is bad input (400). */
    public boolean conflict() {
        return conflict;
    }
}
