package dev.lethe.aggregator.app;

import dev.lethe.schemas.failure.TransientFailure;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's uncaught exception handler. A transient failure ({@link TransientFailure}: the registry or a
 * broker down) replaces the stream thread once the registry answers again (or after {@code maxWait}): the failed
 * thread's transaction was aborted, so the new thread reads the same records again and nothing valid is
 * dead-lettered. Waiting first matters: every replacement costs a rebalance, so one replacement after the outage
 * beats one every few seconds during it.
 *
 * <p>A thread whose transactional producer the broker put in a state it cannot leave (e.g. a transaction the broker
 * aborted while the thread was cut off for longer than the transaction timeout, then {@code InvalidTxnStateException}:
 * Kafka Streams turns only some of these into a task migration, see KAFKA-19690) is replaced too: the new thread's
 * new producer starts clean and the aborted records are read again. These say nothing about the data. Anything else
 * stops the instance, as a bug should.
 */
final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);

    /** The broker's word that a transactional producer cannot go on; a new producer can. */
    private static final List<Class<? extends Throwable>> PRODUCER_STATE_ERRORS = List.of(InvalidTxnStateException.class,
            InvalidProducerEpochException.class, ProducerFencedException.class, InvalidPidMappingException.class,
            UnknownProducerIdException.class, OutOfOrderSequenceException.class, TransactionAbortableException.class,
            CommitFailedException.class);

    private final BooleanSupplier registryAnswers;
    private final Duration probeInterval;
    private final Duration maxWait;

    StreamThreadFailures(BooleanSupplier registryAnswers, Duration probeInterval, Duration maxWait) {
        this.registryAnswers = registryAnswers;
        this.probeInterval = probeInterval;
        this.maxWait = maxWait;
    }

    private volatile Throwable last;

    /** The last exception handed to this handler (a thread replaced or not), or null. */
    Throwable last() {
        return last;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable e) {
        last = e;
        if (producerStateError(e)) {
            LOG.warn("aggregator stream thread failed on its transactional producer's state; it is replaced by one with a "
                    + "new producer: {}", e.toString());
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
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

    private static boolean producerStateError(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Class<? extends Throwable> type : PRODUCER_STATE_ERRORS) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }
}
