package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.KnowledgeLossRules;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.RunMetrics;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.aggregator.metrics.ScoreMatrix;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps each model run's stage x benchmark matrix (store {@value AggregatorTopology#RUN_STORE}, key campaign/model)
 * and, for every new or changed cell, forwards each ELEMENT, CATEGORY and MODEL record it changes, the CATEGORY
 * records again for the family aggregation, and the alerts that are new or changed.
 */
final class RunAggregator implements Processor<String, BenchmarkScore, String, AggregatorOutput> {

    private final AlertConfig alertConfig;
    private final String scoresTopic;
    private final Serializer<BenchmarkScore> scoreSerializer;
    private ProcessorContext<String, AggregatorOutput> context;
    private KeyValueStore<String, RunState> store;

    RunAggregator(AlertConfig alertConfig, String scoresTopic, Serializer<BenchmarkScore> scoreSerializer) {
        this.alertConfig = alertConfig;
        this.scoresTopic = scoresTopic;
        this.scoreSerializer = scoreSerializer;
    }

    @Override
    public void init(ProcessorContext<String, AggregatorOutput> context) {
        this.context = context;
        this.store = context.getStateStore(AggregatorTopology.RUN_STORE);
    }

    @Override
    public void process(Record<String, BenchmarkScore> record) {
        BenchmarkScore score = record.value();
        if (score == null) {
            return;
        }
        RunKey run = new RunKey(score.getCampaign(), score.getFamily(), score.getModel());
        RunState state = store.get(run.id());
        if (state == null) {
            state = new RunState(new ScoreMatrix(run), score.getSuiteVersion(), new TreeMap<>());
        } else if (!state.suiteVersion().equals(score.getSuiteVersion())) {
            dead(record, DeadLetterReason.SUITE_VERSION_MISMATCH, "score of " + score.getCheckpointId() + "/"
                    + score.getBenchmark() + " comes from suite version " + score.getSuiteVersion() + " but model run "
                    + run.id() + " was scored with " + state.suiteVersion() + ": stages would not be comparable");
            return;
        } else if (!state.matrix().run().family().equals(run.family())) {
            dead(record, DeadLetterReason.VALIDATION, "score of " + score.getCheckpointId() + " names family "
                    + run.family() + " but model run " + run.id() + " is in family " + state.matrix().run().family());
            return;
        }
        ScoreCell cell;
        try {
            cell = new ScoreCell(score.getStage(), score.getTask(), score.getBenchmark(), score.getCategory(),
                    score.getN(), score.getCorrect(), Bits.toArray(score.getItemBits()), score.getUpdatedAt());
        } catch (IllegalArgumentException e) {
            dead(record, DeadLetterReason.VALIDATION, "score of " + score.getCheckpointId() + "/" + score.getBenchmark()
                    + ": " + e.getMessage());
            return;
        }
        ScoreMatrix matrix = state.matrix();
        boolean hadBaseline = matrix.hasBaseline();
        if (matrix.put(cell) == ScoreMatrix.Change.UNCHANGED) {
            return;
        }
        List<ForgettingMetric> all = RunMetrics.compute(matrix);
        boolean baselineJustArrived = !hadBaseline && matrix.hasBaseline();
        List<ForgettingMetric> changed = RunMetrics.affected(all, matrix, cell.stage(), cell.benchmark(), baselineJustArrived);
        long timestamp = record.timestamp();
        for (ForgettingMetric metric : changed) {
            context.forward(new Record<>(metric.getFamily(), new AggregatorOutput.Metric(metric), timestamp));
        }
        for (ForgettingMetric metric : changed) {
            if (metric.getScope() == MetricScope.CATEGORY) {
                context.forward(new Record<>(metric.getFamily(), new AggregatorOutput.FamilyInput(metric), timestamp));
            }
        }
        for (KnowledgeLossAlert alert : KnowledgeLossRules.evaluate(matrix, all, alertConfig, cell.stage(),
                baselineJustArrived ? null : cell.benchmark())) {
            KnowledgeLossAlert previous = state.alerts().put(alert.getAlertId(), alert);
            if (!alert.equals(previous)) {
                context.forward(new Record<>(alert.getFamily(), new AggregatorOutput.Alert(alert), timestamp));
            }
        }
        store.put(run.id(), state);
    }

    private void dead(Record<String, BenchmarkScore> record, DeadLetterReason reason, String message) {
        byte[] value = scoreSerializer.serialize(scoresTopic, record.value());
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        context.forward(new Record<>(record.key(), new AggregatorOutput.Dead(
                DeadLetters.of(context, key, value, reason, null, message)), record.timestamp()));
    }
}
