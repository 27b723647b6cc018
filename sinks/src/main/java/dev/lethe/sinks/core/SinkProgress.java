package dev.lethe.sinks.core;

/**
 * A snapshot of a {@link SinkRunner}: what it consumed, refused and still has to read.
 *
 * @param consumed        records read from the sink's topics (decoded or not)
 * @param deadLetters     records refused and sent to a DLQ
 * @param lag             records between the sink's position and the topics' last stable offsets, summed
 * @param pending         records handed to the sink but not yet flushed
 * @param flushes         flushes done so far
 * @param assigned        true once every topic of the sink was found and assigned
 * @param lagMeasuredAt   System.nanoTime() of the lag measurement this snapshot carries (0 = none yet)
 * @param failure         the error that stopped the runner, or null
 */
public record SinkProgress(long consumed, long deadLetters, long lag, long pending, long flushes, boolean assigned,
                           long lagMeasuredAt, Throwable failure) {

    static final SinkProgress INITIAL = new SinkProgress(0, 0, -1, 0, 0, false, 0, null);

    /** Caught up: every topic assigned, lag measured at zero, and nothing left unflushed. */
    public boolean caughtUp() {
        return assigned && lag == 0 && pending == 0 && lagMeasuredAt != 0;
    }
}
