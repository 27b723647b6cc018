package dev.lethe.aggregator.app;

import dev.lethe.schemas.failure.TransientFailure;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's uncaught exception handler. A transient failure ({@link TransientFailure}: the registry or a
 * broker down) replaces the stream thread once the registry answers again (or after {@code maxWait}): the failed
 * thread's transaction was aborted, so the new thread reads the same records again and nothing valid is
 * dead-lettered. Waiting first matters: every replacement costs a rebalance, so one replacement after the outage
 * beats one every few seconds during it. Anything else stops the instance, as a bug should.
 */
final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);

    private final BooleanSupplier registryAnswers;
    private final Duration probeInterval;
    private final Duration maxWait;

    StreamThreadFailures(BooleanSupplier registryAnswers, Duration probeInterval, Duration maxWait) {
        this.registryAnswers = registryAnswers;
        this.probeInterval = probeInterval;
        this.maxWait = maxWait;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable e) {
        if (!TransientFailure.isTransient(e)) {
            LOG.error("aggregator stream thread failed; shutting the instance down", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.warn("aggregator stream thread failed on a transient failure; it is replaced once the registry answers "
                + "(at most {} s): {}", maxWait.toSeconds(), e.toString());
        long deadline = System.nanoTime() + maxWait.toNanos();
        // runs on the failed thread, which has stopped processing: waiting here delays nothing else
        do {
            try {
                Thread.sleep(probeInterval.toMillis()); // backoff between probes of the dependency
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (!registryAnswers.getAsBoolean() && System.nanoTime() < deadline);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
