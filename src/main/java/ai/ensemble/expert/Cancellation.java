package ai.ensemble.expert;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Lets the caller stop a generation (client gone, deadline passed). Experts register what
 * releases their resources (close the upstream stream, free KV cache) with {@link #onCancel}.
 */
public final class Cancellation {

    private final List<Runnable> actions = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    public boolean isCancelled() {
        return cancelled;
    }

    public void onCancel(Runnable action) {
        actions.add(action);
        if (cancelled) {
            action.run();
        }
    }

    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        actions.forEach(Runnable::run);
    }
}
