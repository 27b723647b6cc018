package dev.lethe.aggregator.metrics;

import static dev.lethe.aggregator.metrics.Cells.T0;
import static dev.lethe.aggregator.metrics.Cells.bits;
import static dev.lethe.aggregator.metrics.Cells.counts;
import static dev.lethe.aggregator.metrics.Cells.find;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.AlertState;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.json.MetricKeys;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Properties of the metric library over seeded random campaigns. */
class MetricPropertiesTest {

    private static final String[][] SUITE = {
        {"mmlu-stem", "domain-knowledge"}, {"mmlu-other", "domain-knowledge"}, {"boolq", "reasoning"},
        {"piqa", "reasoning"}, {"race-high", "reading-comprehension"}, {"task-1", "task"}, {"task-2", "task"},
        {"task-3", "task"}};

    /** A random campaign: runs x stages 0..3 x the suite, with per-item bits on some elements. */
    private static List<Map.Entry<RunKey, ScoreCell>> randomCampaign(long seed) {
        Random random = new Random(seed);
        List<Map.Entry<RunKey, ScoreCell>> cells = new ArrayList<>();
        RunKey[] runs = {new RunKey("c", "mlp", "mlp-a"), new RunKey("c", "mlp", "mlp-b"), new RunKey("c", "cnn", "cnn-a")};
        for (RunKey run : runs) {
            for (int stage = 0; stage <= 3; stage++) {
                for (String[] element : SUITE) {
                    if (stage > 0 && random.nextInt(10) == 0) {
                        continue; // some cells missing: K(s) and p(s) skip them
                    }
                    int n = 40 + random.nextInt(60);
                    boolean[] items = new boolean[n];
                    int correct = 0;
                    double p = Math.max(0.05, 0.9 - 0.15 * stage * random.nextDouble());
                    for (int i = 0; i < n; i++) {
                        items[i] = random.nextDouble() < p;
                        correct += items[i] ? 1 : 0;
                    }
                    byte[] itemBits = element[0].startsWith("mmlu") ? bits(items) : null;
                    cells.add(Map.entry(run, new ScoreCell(stage, stage == 0 ? null : "task-" + stage, element[0],
                            element[1], n, correct, itemBits, T0.plusSeconds(random.nextInt(1000)))));
                }
            }
        }
        return cells;
    }

    /**
     * Feeds cells one by one to {@link IncrementalRun} as the topology does and keeps the last published record per
     * key, FAMILY records included, and each alert's latest state (only FIRING ones are kept at the end).
     */
    private static Map<String, Object> streamLastPerKey(List<Map.Entry<RunKey, ScoreCell>> cells, AlertConfig config) {
        Map<String, IncrementalRun> runs = new LinkedHashMap<>();
        Map<String, Object> last = new LinkedHashMap<>();
        Map<String, Map<String, ForgettingMetric>> categoryRecordsByFamily = new LinkedHashMap<>();
        for (Map.Entry<RunKey, ScoreCell> entry : cells) {
            IncrementalRun run = runs.computeIfAbsent(entry.getKey().id(),
                    id -> new IncrementalRun(entry.getKey(), RunStore.inMemory(), config));
            IncrementalRun.Update update = run.score(entry.getValue(), "v1", T0);
            for (ForgettingMetric record : update.metrics()) {
                last.put(MetricKeys.of(record), record);
                if (record.getScope() == MetricScope.CATEGORY) {
                    Map<String, ForgettingMetric> family = categoryRecordsByFamily
                            .computeIfAbsent(record.getCampaign() + "/" + record.getFamily(), f -> new LinkedHashMap<>());
                    family.put(MetricKeys.of(record), record);
                    List<ForgettingMetric> same = family.values().stream()
                            .filter(r -> r.getStage() == record.getStage() && r.getCategory().equals(record.getCategory()))
                            .toList();
                    ForgettingMetric familyRecord = FamilyMetrics.compute(record.getCampaign(), record.getFamily(),
                            record.getCategory(), record.getStage(), same);
                    if (familyRecord != null) {
                        last.put(MetricKeys.of(familyRecord), familyRecord);
                    }
                }
            }
            for (KnowledgeLossAlert alert : update.alerts()) {
                last.put("alert:" + MetricKeys.of(alert), alert);
            }
        }
        last.values().removeIf(v -> v instanceof KnowledgeLossAlert a && a.getState() != AlertState.FIRING);
        return last;
    }

    private static Map<String, Object> keyed(MetricsReport report) {
        Map<String, Object> keyed = new LinkedHashMap<>();
        report.metrics().forEach(m -> keyed.put(MetricKeys.of(m), m));
        report.alerts().forEach(a -> keyed.put("alert:" + MetricKeys.of(a), a));
        return keyed;
    }

    @Test
    void shouldGiveZeroForgettingWhenTheTrajectoryIsConstant() {
        Random random = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 10 + random.nextInt(1000);
            int correct = 1 + random.nextInt(n);
            List<ScoreCell> cells = new ArrayList<>();
            int stages = 1 + random.nextInt(8);
            for (int s = 0; s <= stages; s++) {
                cells.add(counts(s, "e1", "c", n, correct));
                cells.add(counts(s, "e2", "c", n, correct));
            }
            List<ForgettingMetric> records = RunMetrics.compute(ScoreMatrix.of(Cells.RUN, cells));
            for (ForgettingMetric record : records) {
                if (record.getStage() > 0) {
                    assertThat(record.getFgPct()).as("fg of %s", record).isEqualTo(0.0);
                    assertThat(record.getMaxForgettingPp()).isEqualTo(0.0);
                    assertThat(record.getDeltaPrevPp()).isEqualTo(0.0);
                }
                assertThat(record.getFinalDropPct()).isEqualTo(0.0);
            }
            assertThat(find(records, MetricScope.CATEGORY, stages, "c", null).getStagesCovered()).isEqualTo(stages);
        }
    }

    @Test
    void shouldGiveTheSameFinalRecordsWhenCellsArriveInAnyOrder() {
        for (long seed = 1; seed <= 10; seed++) {
            List<Map.Entry<RunKey, ScoreCell>> cells = randomCampaign(seed);
            MetricsReport reference = MetricsReport.of(MetricsReport.matrices(cells), AlertConfig.defaults());
            Map<String, Object> expected = keyed(reference);
            assertThat(reference.metrics()).isNotEmpty();

            List<Map.Entry<RunKey, ScoreCell>> shuffled = new ArrayList<>(cells);
            Collections.shuffle(shuffled, new Random(seed * 31));
            MetricsReport again = MetricsReport.of(MetricsReport.matrices(shuffled), AlertConfig.defaults());
            assertThat(again).isEqualTo(reference);

            // incrementally, the last record per key equals the batch result
            Map<String, Object> streamed = streamLastPerKey(shuffled, AlertConfig.defaults());
            Map<String, Object> streamedMetrics = new LinkedHashMap<>(streamed);
            streamedMetrics.keySet().removeIf(k -> k.startsWith("alert:"));
            Map<String, Object> expectedMetrics = new LinkedHashMap<>(expected);
            expectedMetrics.keySet().removeIf(k -> k.startsWith("alert:"));
            assertThat(streamedMetrics).as("seed %d", seed).containsExactlyInAnyOrderEntriesOf(expectedMetrics);
            // alerts too: the alerts still firing at the end are exactly the batch alerts, whatever the order
            assertThat(streamed).as("seed %d", seed).containsExactlyInAnyOrderEntriesOf(expected);
        }
    }

    @Test
    void shouldChangeNothingWhenCellsAreDuplicated() {
        for (long seed = 100; seed < 110; seed++) {
            List<Map.Entry<RunKey, ScoreCell>> cells = randomCampaign(seed);
            List<Map.Entry<RunKey, ScoreCell>> doubled = new ArrayList<>(cells);
            Random random = new Random(seed);
            for (int i = 0; i < cells.size() / 2; i++) {
                doubled.add(cells.get(random.nextInt(cells.size())));
            }
            Collections.shuffle(doubled, random);
            assertThat(MetricsReport.of(MetricsReport.matrices(doubled), AlertConfig.defaults()))
                    .isEqualTo(MetricsReport.of(MetricsReport.matrices(cells), AlertConfig.defaults()));
            assertThat(streamLastPerKey(doubled, AlertConfig.defaults()).keySet().stream().filter(k -> !k.startsWith("alert:")).toList())
                    .containsExactlyInAnyOrderElementsOf(keyed(MetricsReport.of(MetricsReport.matrices(cells), AlertConfig.defaults()))
                            .keySet().stream().filter(k -> !k.startsWith("alert:")).toList());
        }
    }

    @Test
    void shouldEmitNothingWhenTheRunHasNoBaselineYet() {
        ScoreMatrix matrix = ScoreMatrix.of(Cells.RUN, List.of(counts(1, "e", "c", 100, 50), counts(2, "e", "c", 100, 20)));
        assertThat(RunMetrics.compute(matrix)).isEmpty();
        assertThat(KnowledgeLossRules.evaluate(matrix, AlertConfig.defaults())).isEmpty();

        matrix.put(counts(0, "e", "c", 100, 80));
        assertThat(RunMetrics.compute(matrix)).hasSize(9); // 3 stages x (ELEMENT, CATEGORY, MODEL)
    }
}
