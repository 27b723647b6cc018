package dev.lethe.aggregator.topology;

import static dev.lethe.aggregator.metrics.IncrementalRun.Publication.LATER;

import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.ElementSeries;
import dev.lethe.aggregator.metrics.IncrementalRun;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.RunSummary;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.aggregator.metrics.StageSlice;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each model run's records and alerts up to date ({@link IncrementalRun} over the stores {@value
 * AggregatorTopology#RUN_SUMMARIES}, {@value AggregatorTopology#RUN_SERIES}, {@value AggregatorTopology#RUN_CELLS},
 * {@value AggregatorTopology#RUN_STAGES})
 * from the run's events, and forwards what changed: ELEMENT, CATEGORY and MODEL records, the CATEGORY records again for
 * the family aggregation, and alert states (FIRING, or RESOLVED when withdrawn).
 *
 * <p>What changed is published once per publishing interval (the commit interval), not once per event: an event
 * only marks the stages it changed in {@value AggregatorTopology#RUN_PENDING} (key campaign/model NUL stage, value the
 * newest event time), and the punctuation publishes each marked stage and clears its mark. Within an interval, a
 * stage's CATEGORY record moves with each of its elements, and in a backlog read faster than the announcements that
 * say what is awaited, each move would otherwise be published and then superseded. Nothing is lost between an event
 * and its publication: the marks are state, changelogged and committed with the event.
 */
final class RunAggregator implements Processor<String, RunEvent, String, AggregatorOutput> {

    private static final Logger LOG = LoggerFactory.getLogger(RunAggregator.class);
    /** Decoded objects kept per store: a few runs' current stages and elements (a slice of 64 elements is ~12 KB). */
    private static final int CACHED_ENTRIES = 2048;

    private final AlertConfig alertConfig;
    private final Duration publishEvery;
    private final String scoresTopic;
    private final Serializer<BenchmarkScore> scoreSerializer;
    private ProcessorContext<String, AggregatorOutput> context;
    private KeyValueStore<String, RunSummary> summaries;
    private KeyValueStore<String, ElementSeries> series;
    private KeyValueStore<String, RunStateCodecs.StageCell> cells;
    private KeyValueStore<String, StageSlice> stages;
    private KeyValueStore<String, Long> pending;
    private DecodedCache cache;

    RunAggregator(AlertConfig alertConfig, Duration publishEvery, String scoresTopic, Serializer<BenchmarkScore> scoreSerializer) {
        this.alertConfig = alertConfig;
        this.publishEvery = publishEvery;
        this.scoresTopic = scoresTopic;
        this.scoreSerializer = scoreSerializer;
    }

    @Override
    public void init(ProcessorContext<String, AggregatorOutput> context) {
        this.context = context;
        this.summaries = context.getStateStore(AggregatorTopology.RUN_SUMMARIES);
        this.series = context.getStateStore(AggregatorTopology.RUN_SERIES);
        this.cells = context.getStateStore(AggregatorTopology.RUN_CELLS);
        this.stages = context.getStateStore(AggregatorTopology.RUN_STAGES);
        this.pending = context.getStateStore(AggregatorTopology.RUN_PENDING);
        this.cache = new DecodedCache(CACHED_ENTRIES);
        context.schedule(publishEvery, PunctuationType.WALL_CLOCK_TIME, wallClock -> publishPending());
    }

    @Override
    public void process(Record<String, RunEvent> record) {
        RunEvent event = record.value();
        if (event == null) {
            return;
        }
        String runId = RunKey.id(event.campaign(), event.model());
        StoreRunStore store = store(runId);
        RunSummary summary = store.summary();
        Instant now = Instant.ofEpochMilli(record.timestamp());
        IncrementalRun.Update update;
        if (event instanceof RunEvent.Scored scored) {
            update = score(record, scored.score(), summary, store, now);
        } else {
            RunEvent.Announced a = (RunEvent.Announced) event;
            if (a.refused()) {
                // a refused shard only stops the wait in a run already known under its names: its family must not
                // name a run; the planner's own tasks (dead-lettered by a worker) may, and never set the suite version
                if (!a.fromPlanner() && (summary == null || !summary.run().family().equals(a.family()))) {
                    LOG.debug("ignoring a refused shard of {} at stage {}: no such run", a.element(), a.stage());
                    return;
                }
                RunKey run = summary != null ? summary.run() : new RunKey(a.campaign(), a.family(), a.model());
                update = new IncrementalRun(run, store, alertConfig, LATER).refused(a.stage(), a.element(), a.suiteVersion(), now);
            } else if (summary != null && summary.suiteVersion() != null
                    && (!summary.suiteVersion().equals(a.suiteVersion()) || !summary.run().family().equals(a.family()))) {
                LOG.debug("ignoring an announcement of {} at stage {} for run {}: another suite version or family",
                        a.element(), a.stage(), summary.run().id());
                return;
            } else {
                update = new IncrementalRun(new RunKey(a.campaign(), a.family(), a.model()), store, alertConfig, LATER)
                        .planned(a.stage(), a.element(), a.category(), a.suiteVersion(), now);
            }
        }
        if (update == null) {
            return;
        }
        for (int stage : update.stagesToPublish()) {
            String key = StoreRunStore.stageKey(runId, stage);
            Long marked = pending.get(key);
            if (marked == null || marked < record.timestamp()) { // most events find their stage marked already
                pending.put(key, record.timestamp());
            }
        }
    }

    private StoreRunStore store(String runId) {
        return new StoreRunStore(runId, summaries, series, cells, stages, cache);
    }

    /** Publishes every marked stage, run by run and in stage order, and clears the marks. */
    private void publishPending() {
        TreeMap<String, TreeMap<Integer, Long>> byRun = new TreeMap<>();
        try (KeyValueIterator<String, Long> all = pending.all()) {
            all.forEachRemaining(kv -> byRun.computeIfAbsent(StoreRunStore.runOfStageKey(kv.key), run -> new TreeMap<>())
                    .put(StoreRunStore.stageOfStageKey(kv.key), kv.value));
        }
        byRun.forEach((runId, marked) -> {
            StoreRunStore store = store(runId);
            RunSummary summary = store.summary();
            long newest = Collections.max(marked.values());
            if (summary != null) {
                IncrementalRun.Update update = new IncrementalRun(summary.run(), store, alertConfig, LATER)
                        .publish(new TreeSet<>(marked.keySet()), Instant.ofEpochMilli(newest));
                forward(update, newest);
            }
            marked.keySet().forEach(stage -> pending.delete(StoreRunStore.stageKey(runId, stage)));
        });
    }

    private void forward(IncrementalRun.Update update, long timestamp) {
        for (ForgettingMetric metric : update.metrics()) {
            context.forward(new Record<>(metric.getFamily(), new AggregatorOutput.Metric(metric), timestamp));
        }
        for (ForgettingMetric metric : update.metrics()) {
            if (metric.getScope() == MetricScope.CATEGORY) {
                context.forward(new Record<>(metric.getFamily(), new AggregatorOutput.FamilyInput(metric), timestamp));
            }
        }
        for (KnowledgeLossAlert alert : update.alerts()) {
            context.forward(new Record<>(alert.getFamily(), new AggregatorOutput.Alert(alert), timestamp));
        }
    }

    /** Validates a score against its run and applies it; null (after dead-lettering it) when it is refused. */
    private IncrementalRun.Update score(Record<String, RunEvent> record, BenchmarkScore score, RunSummary summary,
                                        StoreRunStore store, Instant now) {
        RunKey run = new RunKey(score.getCampaign(), score.getFamily(), score.getModel());
        if (summary != null && summary.suiteVersion() != null && !summary.suiteVersion().equals(score.getSuiteVersion())) {
            dead(record, score, DeadLetterReason.SUITE_VERSION_MISMATCH, "score of " + score.getCheckpointId() + "/"
                    + score.getBenchmark() + " comes from suite version " + score.getSuiteVersion() + " but model run "
                    + run.id() + " was scored with " + summary.suiteVersion() + ": stages would not be comparable");
            return null;
        }
        if (summary != null && !summary.run().family().equals(run.family())) {
            dead(record, score, DeadLetterReason.VALIDATION, "score of " + score.getCheckpointId() + " names family "
                    + run.family() + " but model run " + run.id() + " is in family " + summary.run().family());
            return null;
        }
        try {
            // bias elements are measured on closeness to 50 %; their bits stay the raw preferences, so the paired
            // test asks whether the stereotype share changed and the drop says it moved away from 50 %
            ScoreCell cell = ScoreCell.of(score);
            return new IncrementalRun(run, store, alertConfig, LATER).score(cell, score.getSuiteVersion(), now);
        } catch (IllegalArgumentException e) {
            dead(record, score, DeadLetterReason.VALIDATION, "score of " + score.getCheckpointId() + "/"
                    + score.getBenchmark() + ": " + e.getMessage());
            return null;
        }
    }

    private void dead(Record<String, RunEvent> record, BenchmarkScore score, DeadLetterReason reason, String message) {
        byte[] value = scoreSerializer.serialize(scoresTopic, score);
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        context.forward(new Record<>(record.key(), new AggregatorOutput.Dead(
                DeadLetters.of(context, key, value, reason, null, message)), record.timestamp()));
    }
}
