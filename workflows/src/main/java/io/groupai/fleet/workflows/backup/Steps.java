package io.groupai.fleet.workflows.backup;

import io.groupai.fleet.workflows.allocation.Failures;
import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** The steps of one workflow, for its progress query: each RUNNING, then DONE or FAILED with what happened. */
final class Steps {

    private final List<StepProgress> steps = new ArrayList<>();

    <T> T run(String name, Supplier<T> call, Function<T, String> describe) {
        int index = steps.size();
        long began = Workflow.currentTimeMillis();
        steps.add(StepProgress.running(name));
        try {
            T result = call.get();
            steps.set(index, steps.get(index).done(describe.apply(result)).took(Workflow.currentTimeMillis() - began));
            return result;
        } catch (ActivityFailure failure) {
            steps.set(
                    index,
                    steps.get(index).failed(Failures.message(failure)).took(Workflow.currentTimeMillis() - began));
            throw failure;
        } catch (ApplicationFailure failure) {
            steps.set(
                    index,
                    steps.get(index).failed(failure.getOriginalMessage()).took(Workflow.currentTimeMillis() - began));
            throw failure;
        }
    }

    List<StepProgress> all() {
        return List.copyOf(steps);
    }
}
