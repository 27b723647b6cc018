package dev.lethe.cli.demo;

import dev.lethe.sinks.core.AlertLifecycle;
import dev.lethe.trainer.run.ProgressListener;
import dev.lethe.trainer.run.StageResult;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The demo's progress line: stages trained, shards scored, distinct metric keys, alerts (and how many fire). Printed when a figure changes,
 * at most every {@code intervalMs}, as plain lines so it mixes with the live table on any terminal or log.
 */
final class DemoProgress implements ProgressListener {

    private final PrintWriter out;
    private final int totalStages;
    private final long totalShards;
    private final LongSupplier shardsScored;
    private final CompletionTracker tracker;
    private final AtomicInteger stagesTrained = new AtomicInteger();
    private volatile String lastLine = "";

    DemoProgress(PrintWriter out, int totalStages, long totalShards, LongSupplier shardsScored, CompletionTracker tracker) {
        this.out = out;
        this.totalStages = totalStages;
        this.totalShards = totalShards;
        this.shardsScored = shardsScored;
        this.tracker = tracker;
    }

    @Override
    public void stageFinished(StageResult result) {
        stagesTrained.incrementAndGet();
    }

    int stagesTrained() {
        return stagesTrained.get();
    }

    /** The current figures as one line. */
    String line() {
        AlertLifecycle.Counts alerts = tracker.alerts();
        return String.format("[demo] stages trained %d/%d | shards scored %d/%d | metric keys %d "
                        + "(elements %d/%d) | alerts %d (%d firing)",
                stagesTrained.get(), totalStages, Math.min(shardsScored.getAsLong(), totalShards), totalShards,
                tracker.distinctMetrics(), tracker.seenCount(), tracker.expectedCount(), alerts.alerts(), alerts.firing());
    }

    /** Prints the line if any figure moved since the last print. */
    synchronized void printIfChanged() {
        String line = line();
        if (!line.equals(lastLine)) {
            lastLine = line;
            out.println(line);
            out.flush();
        }
    }

    void say(String message) {
        synchronized (this) {
            out.println("[demo] " + message);
            out.flush();
        }
    }
}
