package dev.lethe.sinks.core;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;

/**
 * A downstream view of {@code lethe.forgetting} and/or {@code lethe.alerts}: it receives decoded records from a
 * {@link SinkRunner}, one thread at a time, and makes them visible on {@link #flush()}.
 *
 * <p>The runner commits the consumer offsets only after {@code flush()} returns, so a sink that has to deliver
 * something records it durably before returning from {@code onAlert} or {@code flush} (the webhook journals each
 * message and delivers it on a thread of its own, so its retries never hold the consume thread).
 */
public interface MetricSink extends AutoCloseable {

    /** Short name used in the consumer group id, the DeadLetter component and the logs. */
    String name();

    /** Whether the runner should feed this sink the {@code forgetting} topic. */
    default boolean consumesMetrics() {
        return true;
    }

    /** Whether the runner should feed this sink the {@code alerts} topic. */
    default boolean consumesAlerts() {
        return true;
    }

    /** Called once on the runner thread before the first record. */
    default void open(SinkContext context) {
    }

    default void onMetric(ForgettingMetric metric) {
    }

    default void onAlert(KnowledgeLossAlert alert) {
    }

    /** Makes everything received so far visible (files rewritten, screen redrawn, alerts delivered). */
    default void flush() {
    }

    @Override
    default void close() {
    }
}
