package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Computes the ELEMENT, CATEGORY and MODEL forgetting records of one model run from its score matrix
 * (formulas: docs/METRICS.md); the records are exactly what the aggregator publishes on lethe.forgetting.
 *
 * <p>Every record at stage s depends only on cells at stages <= s, and its {@code updatedAt} is the newest
 * event time of those cells, so the records are a pure function of the matrix whatever order the cells came in.
 */
public final class RunMetrics {

    /** The category of the per-task elements GEM ACC/BWT are computed from; excluded from MODEL averages. */
    public static final String TASK_CATEGORY = "task";

    private RunMetrics() {
    }

    /** All records of the run in publication order; empty until the run has a stage-0 cell. */
    public static List<ForgettingMetric> compute(ScoreMatrix matrix) {
        if (!matrix.hasBaseline()) {
            return List.of();
        }
        Columns columns = new Columns(matrix);
        RunKey run = matrix.run();
        int stageCount = columns.stages.length;
        ForgettingMetric[][] elements = new ForgettingMetric[columns.benchmarks.size()][];
        for (int e = 0; e < elements.length; e++) {
            elements[e] = elementColumn(columns, run, e);
        }
        List<ForgettingMetric> out = new ArrayList<>();
        for (int si = 0; si < stageCount; si++) {
            for (ForgettingMetric[] column : elements) {
                if (column[si] != null) {
                    out.add(column[si]);
                }
            }
            List<ForgettingMetric> categories = new ArrayList<>();
            for (Map.Entry<String, List<Integer>> entry : columns.byCategory.entrySet()) {
                ForgettingMetric category = category(columns, run, si, entry.getKey(), entry.getValue(), elements);
                if (category != null) {
                    categories.add(category);
                    out.add(category);
                }
            }
            ForgettingMetric model = model(columns, run, si, categories);
            if (model != null) {
                out.add(model);
            }
        }
        return out;
    }

    /** The matrix as arrays: stage indices, element columns, categories, and the newest cell time so far. */
    private static final class Columns {
        final int[] stages;
        final List<String> benchmarks;
        final String[] categories;
        final String[] tasks;
        final ScoreCell[][] cells;       // [element][stage index]
        final Instant[][] dated;         // newest updatedAt of the element's cells at stages <= stage index
        final Map<String, List<Integer>> byCategory = new TreeMap<>();
        final int[] taskElement;          // element trained at the stage index (GEM), -1 if none

        Columns(ScoreMatrix matrix) {
            stages = matrix.stages().stream().mapToInt(Integer::intValue).toArray();
            benchmarks = new ArrayList<>(matrix.benchmarks());
            categories = new String[benchmarks.size()];
            cells = new ScoreCell[benchmarks.size()][stages.length];
            dated = new Instant[benchmarks.size()][stages.length];
            Map<String, Integer> index = new TreeMap<>();
            for (int e = 0; e < benchmarks.size(); e++) {
                String benchmark = benchmarks.get(e);
                index.put(benchmark, e);
                categories[e] = matrix.categoryOf(benchmark);
                byCategory.computeIfAbsent(categories[e], c -> new ArrayList<>()).add(e);
                Instant newest = null;
                for (int si = 0; si < stages.length; si++) {
                    ScoreCell cell = matrix.get(stages[si], benchmark);
                    cells[e][si] = cell;
                    if (cell != null) {
                        newest = max(newest, cell.updatedAt());
                    }
                    dated[e][si] = newest;
                }
            }
            tasks = new String[stages.length];
            taskElement = new int[stages.length];
            for (int si = 0; si < stages.length; si++) {
                tasks[si] = matrix.taskOf(stages[si]);
                Integer e = tasks[si] == null ? null : index.get(tasks[si]);
                taskElement[si] = stages[si] >= 1 && e != null && TASK_CATEGORY.equals(categories[e]) ? e : -1;
            }
        }
    }

    /**
     * The records a new or changed cell (stage, benchmark) may have changed: that element, its category and
     * the MODEL record at every stage >= {@code stage}; all records when {@code baselineJustArrived}.
     */
    public static List<ForgettingMetric> affectedBy(ScoreMatrix matrix, int stage, String benchmark,
                                                    boolean baselineJustArrived) {
        return affected(compute(matrix), matrix, stage, benchmark, baselineJustArrived);
    }

    /** {@link #affectedBy} over records already computed with {@link #compute}. */
    public static List<ForgettingMetric> affected(List<ForgettingMetric> all, ScoreMatrix matrix, int stage,
                                                  String benchmark, boolean baselineJustArrived) {
        if (baselineJustArrived) {
            return all;
        }
        String category = matrix.categoryOf(benchmark);
        return all.stream().filter(r -> r.getStage() >= stage && switch (r.getScope()) {
            case ELEMENT -> benchmark.equals(r.getBenchmark());
            case CATEGORY -> category.equals(r.getCategory());
            default -> true;
        }).toList();
    }

    /** The ELEMENT records of one element at every stage index (null where it has no cell), in one pass. */
    private static ForgettingMetric[] elementColumn(Columns columns, RunKey run, int e) {
        ForgettingMetric[] out = new ForgettingMetric[columns.stages.length];
        ScoreCell baseCell = columns.cells[e][0]; // stage index 0 is stage 0: the run has a baseline
        Double base = baseCell == null ? null : baseCell.accuracyPct();
        boolean relativeDefined = base != null && base != 0.0;
        double fgSum = 0;
        int covered = 0;
        Double maxEarlier = null;
        Double previous = null;
        for (int si = 0; si < columns.stages.length; si++) {
            ScoreCell cell = columns.cells[e][si];
            if (cell == null) {
                continue;
            }
            int stage = columns.stages[si];
            double score = cell.accuracyPct();
            if (stage >= 1) {
                covered++; // K(s) holds the stages 1..s with a score, s itself included
                if (relativeDefined) {
                    fgSum += (base - score) / base * 100;
                }
            }
            out[si] = ForgettingMetric.newBuilder()
                    .setCampaign(run.campaign())
                    .setFamily(run.family())
                    .setModel(run.model())
                    .setStage(stage)
                    .setTask(columns.tasks[si])
                    .setScope(MetricScope.ELEMENT)
                    .setCategory(columns.categories[e])
                    .setBenchmark(columns.benchmarks.get(e))
                    .setBaselineScore(base)
                    .setScore(score)
                    .setFgPct(relativeDefined && covered > 0 ? fgSum / covered : null)
                    .setFinalDropPct(relativeDefined ? (base - score) / base * 100 : null)
                    .setMaxForgettingPp(maxEarlier == null ? null : maxEarlier - score)
                    .setDeltaPrevPp(previous == null ? null : score - previous)
                    .setStderrPp(Statistics.stderrPp(cell.n(), cell.correct()))
                    .setN(cell.n())
                    .setStagesCovered(covered)
                    .setElementsCovered(baseCell == null ? 0 : 1)
                    .setUpdatedAt(columns.dated[e][si])
                    .build();
            maxEarlier = maxEarlier == null ? score : Math.max(maxEarlier, score);
            previous = score; // the last stage with a score is p(s) for the next one
        }
        return out;
    }

    private static ForgettingMetric category(Columns columns, RunKey run, int si, String category,
                                             List<Integer> members, ForgettingMetric[][] elements) {
        List<ForgettingMetric> covered = new ArrayList<>();
        Instant updatedAt = null;
        for (int e : members) {
            updatedAt = max(updatedAt, columns.dated[e][si]);
            ForgettingMetric element = elements[e][si];
            if (element != null && element.getElementsCovered() == 1) {
                covered.add(element);
            }
        }
        if (covered.isEmpty()) {
            return null;
        }
        return withMeans(ForgettingMetric.newBuilder(), covered)
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(columns.stages[si])
                .setTask(columns.tasks[si])
                .setScope(MetricScope.CATEGORY)
                .setCategory(category)
                .setBenchmark(null)
                .setStderrPp(pooledStderr(covered))
                .setN(covered.stream().mapToInt(ForgettingMetric::getN).sum())
                .setStagesCovered(covered.stream().mapToInt(ForgettingMetric::getStagesCovered).min().orElseThrow())
                .setElementsCovered(covered.size())
                .setUpdatedAt(updatedAt)
                .build();
    }

    /** CATEGORY and MODEL values are unweighted means of their parts' values (METRICS.md). */
    private static ForgettingMetric.Builder withMeans(ForgettingMetric.Builder builder, List<ForgettingMetric> parts) {
        return builder
                .setBaselineScore(mean(parts, ForgettingMetric::getBaselineScore))
                .setScore(mean(parts, ForgettingMetric::getScore))
                .setFgPct(mean(parts, ForgettingMetric::getFgPct))
                .setFinalDropPct(mean(parts, ForgettingMetric::getFinalDropPct))
                .setMaxForgettingPp(mean(parts, ForgettingMetric::getMaxForgettingPp))
                .setDeltaPrevPp(mean(parts, ForgettingMetric::getDeltaPrevPp));
    }

    private static ForgettingMetric model(Columns columns, RunKey run, int si, List<ForgettingMetric> categories) {
        List<ForgettingMetric> general = categories.stream()
                .filter(c -> !TASK_CATEGORY.equals(c.getCategory())).toList();
        Double acc = gemAccuracy(columns, si);
        Double bwt = gemBackwardTransfer(columns, si);
        if (general.isEmpty() && acc == null && bwt == null) {
            return null;
        }
        Instant updatedAt = null;
        for (Instant[] dated : columns.dated) {
            updatedAt = max(updatedAt, dated[si]);
        }
        boolean any = !general.isEmpty();
        return withMeans(ForgettingMetric.newBuilder(), general)
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(columns.stages[si])
                .setTask(columns.tasks[si])
                .setScope(MetricScope.MODEL)
                .setCategory(null)
                .setBenchmark(null)
                .setStderrPp(any ? pooledStderr(general) : null)
                .setN(any ? general.stream().mapToInt(ForgettingMetric::getN).sum() : null)
                .setStagesCovered(any ? general.stream().mapToInt(ForgettingMetric::getStagesCovered).min().orElseThrow() : null)
                .setElementsCovered(any ? general.stream().mapToInt(ForgettingMetric::getElementsCovered).sum() : null)
                .setAccPct(acc)
                .setBwtPp(bwt)
                .setUpdatedAt(updatedAt)
                .build();
    }

    /** GEM ACC at stage index si: mean over tasks trained at j <= s of R[s][task_j]. */
    private static Double gemAccuracy(Columns columns, int si) {
        double sum = 0;
        int count = 0;
        for (int sj = 0; sj <= si; sj++) {
            int e = columns.taskElement[sj];
            ScoreCell now = e < 0 ? null : columns.cells[e][si];
            if (now != null) {
                sum += now.accuracyPct();
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    /** GEM BWT at stage index si: mean over j < s of R[s][task_j] - R[j][task_j] (the paper's T-1 convention). */
    private static Double gemBackwardTransfer(Columns columns, int si) {
        double sum = 0;
        int count = 0;
        for (int sj = 0; sj < si; sj++) {
            int e = columns.taskElement[sj];
            ScoreCell now = e < 0 ? null : columns.cells[e][si];
            ScoreCell then = e < 0 ? null : columns.cells[e][sj];
            if (now != null && then != null) {
                sum += now.accuracyPct() - then.accuracyPct();
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    /** Unweighted mean of the non-null values; null when there are none. */
    static Double mean(List<ForgettingMetric> records, Function<ForgettingMetric, Double> field) {
        double sum = 0;
        int count = 0;
        for (ForgettingMetric record : records) {
            Double value = field.apply(record);
            if (value != null) {
                sum += value;
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    /** sqrt(sum se^2) / count: the standard error of a mean of independent scores; null if any is undefined. */
    private static Double pooledStderr(List<ForgettingMetric> records) {
        double sumSquares = 0;
        for (ForgettingMetric record : records) {
            Double se = record.getStderrPp();
            if (se == null) {
                return null;
            }
            sumSquares += se * se;
        }
        return Math.sqrt(sumSquares) / records.size();
    }

    static Instant max(Instant a, Instant b) {
        return a == null || b != null && b.isAfter(a) ? b : a;
    }
}
