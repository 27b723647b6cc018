package dev.lethe.sinks.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe counters of one sink pipeline: records consumed and dead-lettered per source topic, failed
 * dead-letter writes, and the consumer lag per topic (written by the runner, read by anyone, e.g. /metrics).
 */
public final class PipelineStats {

    private final Map<String, AtomicLong> consumed = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lag = new ConcurrentHashMap<>();
    private final AtomicLong deadLetterFailures = new AtomicLong();

    public void recordConsumed(String topic) {
        counter(consumed, topic).incrementAndGet();
    }

    public void recordDeadLetter(String topic) {
        counter(deadLetters, topic).incrementAndGet();
    }

    public void recordDeadLetterFailure() {
        deadLetterFailures.incrementAndGet();
    }

    public void recordLag(String topic, long records) {
        counter(lag, topic).set(records);
    }

    /** Registers a topic so its counters exist (at zero) before the first record. */
    public void track(String topic) {
        counter(consumed, topic);
        counter(deadLetters, topic);
        counter(lag, topic);
    }

    public long consumed(String topic) {
        return value(consumed, topic);
    }

    public long deadLetters(String topic) {
        return value(deadLetters, topic);
    }

    public long lag(String topic) {
        return value(lag, topic);
    }

    public long consumedTotal() {
        return consumed.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public long deadLettersTotal() {
        return deadLetters.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public long lagTotal() {
        return lag.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public long deadLetterFailures() {
        return deadLetterFailures.get();
    }

    /** The topics seen or tracked so far. */
    public java.util.Set<String> topics() {
        return java.util.Set.copyOf(consumed.keySet());
    }

    private static AtomicLong counter(Map<String, AtomicLong> map, String topic) {
        return map.computeIfAbsent(topic, t -> new AtomicLong());
    }

    private static long value(Map<String, AtomicLong> map, String topic) {
        AtomicLong v = map.get(topic);
        return v == null ? 0L : v.get();
    }
}
