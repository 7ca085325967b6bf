package io.groupai.fleet.node.accounts;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs one action per item, each on its own virtual thread, and waits for all: for work that mostly
 * waits (Telegram clients connecting, TDLib opening databases), where doing the items one by one costs the
 * sum of the waits. Bounding how many run at once is the action's business ({@link AccountRunner} holds a
 * node-wide start semaphore), so two batches arriving together share one bound.
 */
public final class Concurrently {

    private Concurrently() {}

    /**
     * @param each      the action; its exceptions become {@code failed(item, exception)}
     * @param failed    the result of an item whose action threw, or was interrupted before it ran
     * @return the results in item order; a single item runs on the calling thread
     */
    public static <I, O> List<O> map(
            List<I> items, String threadName, Function<I, O> each, BiFunction<I, Throwable, O> failed) {
        if (items.size() <= 1) {
            List<O> out = new ArrayList<>(items.size());
            for (I item : items) {
                try {
                    out.add(each.apply(item));
                } catch (RuntimeException e) {
                    out.add(failed.apply(item, e));
                }
            }
            return out;
        }
        List<Future<O>> futures = new ArrayList<>(items.size());
        // close() waits for every action; interrupted (the agent shutting down), it interrupts them and still waits.
        try (ExecutorService threads = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name(threadName, 0).factory())) {
            for (I item : items) {
                futures.add(threads.submit(() -> each.apply(item)));
            }
        }
        List<O> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Future<O> f = futures.get(i);
            out.add(
                    switch (f.state()) {
                        case SUCCESS -> f.resultNow();
                        case FAILED -> failed.apply(items.get(i), f.exceptionNow());
                        default ->
                            failed.apply(
                                    items.get(i),
                                    new java.util.concurrent.CancellationException("cancelled: the agent is stopping"));
                    });
        }
        return out;
    }
}
