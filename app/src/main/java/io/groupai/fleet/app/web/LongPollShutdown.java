package io.groupai.fleet.app.web;

import io.groupai.fleet.app.logins.LoginStore;
import io.groupai.fleet.app.simnet.SimulatedTelegramNetwork;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * On shutdown, answers the nodes' open long polls (simulated network updates, login input) before
 * the web server's graceful shutdown waits for active requests: otherwise each poll holds the app
 * up for its full timeout (up to 30 s) although its node is already gone.
 */
@Component
public class LongPollShutdown implements SmartLifecycle {

    private final SimulatedTelegramNetwork network;
    private final LoginStore logins;
    private volatile boolean running;

    LongPollShutdown(SimulatedTelegramNetwork network, LoginStore logins) {
        this.network = network;
        this.logins = logins;
    }

    /** Wakes every poll waiting on {@code changed}, for the stores' {@code endPolls}. */
    public static void wakeAll(ReentrantLock lock, Condition changed) {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void start() {
        network.resumePolls();
        logins.resumePolls();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        network.endPolls();
        logins.endPolls();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stopped after the demo's agents (DEFAULT_PHASE), just before the web server's graceful shutdown. */
    @Override
    public int getPhase() {
        return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
    }
}
