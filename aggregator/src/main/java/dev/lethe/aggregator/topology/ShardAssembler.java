package dev.lethe.aggregator.topology;

import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import dev.lethe.schemas.bits.ItemBits;
import dev.lethe.schemas.deadletter.DeadLetterBuilder;
import dev.lethe.schemas.failure.TransientFailure;
import dev.lethe.schemas.topics.RecordKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes lethe.shard-results records, dedupes them by (checkpoint, benchmark, shardIndex) and forwards one
 * BenchmarkScore when every shard of a (checkpoint, benchmark) is in; undecodable, invalid or inconsistent
 * records become DeadLetters.
 *
 * <p>Results are keyed by model run ({@link RecordKeys#shardResult}), so this task also holds the run's state and the
 * score goes straight to the run aggregator. A result keyed otherwise (an older producer, a hand-written one) is not
 * refused: it is forwarded unread as {@link AggregatorOutput.Rekey} under its run's key, and a second assembler, reading
 * the internal re-keying topic in this same sub-topology, counts it.
 *
 * <p>It reads raw bytes and deserializes itself (rather than using a DeserializationExceptionHandler) so a
 * poison record becomes a DeadLetter with its original bytes and the reason, written through a sink node in the
 * same exactly-once transaction as the input offset: the dead letter is published exactly when the record is
 * consumed, never lost and never duplicated.
 */
final class ShardAssembler implements Processor<byte[], byte[], String, AggregatorOutput> {

    private static final Logger LOG = LoggerFactory.getLogger(ShardAssembler.class);

    private final String sourceTopic;
    private final Deserializer<ShardResult> deserializer;
    private final boolean rekeyed;
    private ProcessorContext<String, AggregatorOutput> context;
    private KeyValueStore<String, ShardSet> store;

    private ShardAssembler(String sourceTopic, Deserializer<ShardResult> deserializer, boolean rekeyed) {
        this.sourceTopic = sourceTopic;
        this.deserializer = deserializer;
        this.rekeyed = rekeyed;
    }

    /** Reads lethe.shard-results as its producers wrote it. */
    static ShardAssembler direct(String sourceTopic, Deserializer<ShardResult> deserializer) {
        return new ShardAssembler(sourceTopic, deserializer, false);
    }

    /** Reads the results re-keyed by model run: never re-keys again. */
    static ShardAssembler rekeyed(String sourceTopic, Deserializer<ShardResult> deserializer) {
        return new ShardAssembler(sourceTopic, deserializer, true);
    }

    @Override
    public void init(ProcessorContext<String, AggregatorOutput> context) {
        this.context = context;
        this.store = context.getStateStore(AggregatorTopology.SHARD_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        ShardResult shard;
        try {
            shard = deserializer.deserialize(sourceTopic, record.value());
        } catch (RuntimeException e) {
            if (TransientFailure.isTransient(e)) {
                // the registry failed, not the record: failing the task aborts the transaction and the record is
                // read again once AggregatorApp's handler has replaced the stream thread
                throw e;
            }
            dead(record, DeadLetterReason.DESERIALIZATION, e, "cannot decode a ShardResult: " + e.getMessage());
            return;
        }
        if (shard == null) {
            dead(record, DeadLetterReason.VALIDATION, null, "null value (tombstone) on " + sourceTopic);
            return;
        }
        // a refusal names the run and the element: when one of those names is too long for the run's state, the shard
        // is dead-lettered without one (the plan readers skip an announcement with such names too, so nothing waits)
        String longName = NameLimit.refusalNamesProblem(shard.getCampaign(), shard.getFamily(), shard.getModel(),
                shard.getBenchmark(), shard.getCategory(), shard.getSuiteVersion());
        if (longName != null) {
            dead(record, DeadLetterReason.VALIDATION, null, "invalid ShardResult: " + longName);
            return;
        }
        String runKey = RecordKeys.shardResult(shard);
        if (!rekeyed && !runKey.equals(key)) {
            // the run's state may live in another task: send it there first (validation and refusals need that task too)
            Headers origin = RekeyedOrigin.stamp(record.headers(), context.recordMetadata().orElseThrow(), record.key());
            context.forward(new Record<>(runKey, (AggregatorOutput) new AggregatorOutput.Rekey(record.value()),
                    record.timestamp(), origin));
            return;
        }
        String problem = validate(shard);
        if (problem != null) {
            refused(record, shard, shard.getStatus() == ShardStatus.OK ? DeadLetterReason.VALIDATION : DeadLetterReason.SCORING_FAILED,
                    null, "invalid ShardResult " + shard.getTaskId() + ": " + problem);
            return;
        }
        String elementKey = shard.getCheckpointId() + "/" + shard.getBenchmark();
        ShardSet set = store.get(elementKey);
        if (set == null) {
            set = ShardSet.startingWith(shard);
        } else {
            if (set.shardCount() != shard.getShardCount()) {
                refused(record, shard, DeadLetterReason.SHARD_COUNT_MISMATCH, null, "shard " + shard.getTaskId() + " says shardCount "
                        + shard.getShardCount() + " but earlier shards of " + elementKey + " say " + set.shardCount());
                return;
            }
            if (!set.suiteVersion().equals(shard.getSuiteVersion())) {
                refused(record, shard, DeadLetterReason.SUITE_VERSION_MISMATCH, null, "shard " + shard.getTaskId()
                        + " was planned from suite version " + shard.getSuiteVersion() + " but earlier shards of "
                        + elementKey + " from " + set.suiteVersion());
                return;
            }
            String identity = set.identityProblem(shard);
            if (identity != null) {
                refused(record, shard, DeadLetterReason.VALIDATION, null, "shard " + shard.getTaskId() + ": " + identity);
                return;
            }
            if (set.complete() || set.has(shard.getShardIndex())) {
                LOG.debug("duplicate shard {} ignored", shard.getTaskId());
                return;
            }
            String overlap = set.overlapProblem(shard);
            if (overlap != null) {
                refused(record, shard, DeadLetterReason.VALIDATION, null, "shard " + shard.getTaskId() + ": " + overlap);
                return;
            }
        }
        set.add(shard);
        if (set.allShardsIn()) {
            String gap = set.gapProblem();
            if (gap != null) {
                set.forget(shard.getShardIndex());
                store.put(elementKey, set);
                refused(record, shard, DeadLetterReason.VALIDATION, null, "shard " + shard.getTaskId() + " completes " + elementKey
                        + " but " + gap);
                return;
            }
            BenchmarkScore score = set.completeScore(Instant.ofEpochMilli(record.timestamp()));
            store.put(elementKey, set);
            context.forward(new Record<>(elementKey, new AggregatorOutput.Score(score), record.timestamp()));
        } else {
            store.put(elementKey, set);
        }
    }

    /** Null when the shard is usable, else what is wrong with it. */
    static String validate(ShardResult shard) {
        if (shard.getStatus() != ShardStatus.OK) {
            return "status " + shard.getStatus() + " (only OK shards are scores)";
        }
        if (shard.getCheckpointId().isBlank() || shard.getCampaign().isBlank() || shard.getFamily().isBlank()
                || shard.getModel().isBlank() || shard.getBenchmark().isBlank() || shard.getCategory().isBlank()
                || shard.getSuiteVersion().isBlank()) {
            return "checkpointId, campaign, family, model, benchmark, category and suiteVersion must not be empty";
        }
        String longName = NameLimit.problem("task", shard.getTask(), "suite", shard.getSuite(), "metric", shard.getMetric());
        if (longName == null) {
            longName = NameLimit.checkpointIdProblem(shard.getCheckpointId());
        }
        if (longName != null) {
            return longName; // the other names: refused as any invalid shard, so its element is not waited for
        }
        if (shard.getStage() < 0) {
            return "negative stage " + shard.getStage();
        }
        if (shard.getShardCount() < 1 || shard.getShardIndex() < 0 || shard.getShardIndex() >= shard.getShardCount()) {
            return "shardIndex " + shard.getShardIndex() + " outside [0, shardCount " + shard.getShardCount() + ")";
        }
        if (shard.getN() < 1 || shard.getItemStart() < 0 || shard.getItemEnd() - shard.getItemStart() != shard.getN()) {
            return "n " + shard.getN() + " does not match items [" + shard.getItemStart() + ", " + shard.getItemEnd() + ")";
        }
        if (shard.getCorrect() < 0 || shard.getCorrect() > shard.getN()) {
            return "correct " + shard.getCorrect() + " outside [0, n " + shard.getN() + "]";
        }
        byte[] bits = ItemBits.toArray(shard.getItemBits());
        if (bits.length < (shard.getN() + 7) / 8) {
            return "itemBits has " + bits.length + " bytes, too few for " + shard.getN() + " items";
        }
        int ones = ItemBits.count(bits, shard.getN());
        if (ones != shard.getCorrect()) {
            return "itemBits has " + ones + " items right but correct is " + shard.getCorrect();
        }
        return null;
    }

    /**
     * Dead-letters a shard that was decoded but cannot count, and tells the run aggregator not to wait for its element:
     * if the element completes from valid shards after all, its score counts anyway.
     */
    private void refused(Record<byte[], byte[]> record, ShardResult shard, DeadLetterReason reason, Throwable error,
                         String message) {
        dead(record, reason, error, message);
        RunEvent.Announced refusal = new RunEvent.Announced(true, false, shard.getCampaign(), shard.getFamily(), shard.getModel(),
                shard.getStage(), shard.getBenchmark(), shard.getCategory(), shard.getSuiteVersion());
        context.forward(new Record<>(RecordKeys.shardResult(shard), new AggregatorOutput.Refusal(refusal),
                record.timestamp()));
    }

    private void dead(Record<byte[], byte[]> record, DeadLetterReason reason, Throwable error, String message) {
        // only a re-keyed record's origin headers are ours; on lethe.shard-results they would be its producer's word
        Optional<RekeyedOrigin> origin = rekeyed ? RekeyedOrigin.of(record.headers()) : Optional.empty();
        byte[] written = origin.isPresent() ? origin.get().key() : record.key();
        String key = DeadLetterBuilder.recordKeyText(written); // a long key is written under its sha256
        DeadLetter deadLetter = origin.isPresent()
                ? DeadLetters.of(context, origin.get(), record.value(), reason, error, message)
                : DeadLetters.of(context, record.key(), record.value(), reason, error, message);
        context.forward(new Record<>(key, new AggregatorOutput.Dead(deadLetter), record.timestamp()));
    }
}
