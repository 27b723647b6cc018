package dev.lethe.sinks.core;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads for a sink's background work: they never keep the JVM alive after the runner stopped. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
