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
        RunKey run = matrix.run();
        SortedSet<String> benchmarks = matrix.benchmarks();
        Map<String, SortedSet<String>> elementsByCategory = new TreeMap<>();
        for (String benchmark : benchmarks) {
            elementsByCategory.computeIfAbsent(matrix.categoryOf(benchmark), c -> new TreeSet<>()).add(benchmark);
        }
        List<ForgettingMetric> out = new ArrayList<>();
        for (int stage : matrix.stages()) {
            String task = matrix.taskOf(stage);
            Map<String, ForgettingMetric> elements = new TreeMap<>();
            for (String benchmark : benchmarks) {
                ForgettingMetric element = element(matrix, run, stage, task, benchmark);
                if (element != null) {
                    elements.put(benchmark, element);
                    out.add(element);
                }
            }
            List<ForgettingMetric> categories = new ArrayList<>();
            for (Map.Entry<String, SortedSet<String>> entry : elementsByCategory.entrySet()) {
                ForgettingMetric category = category(matrix, run, stage, task, entry.getKey(), entry.getValue(), elements);
                if (category != null) {
                    categories.add(category);
                    out.add(category);
                }
            }
            ForgettingMetric model = model(matrix, run, stage, task, categories);
            if (model != null) {
                out.add(model);
            }
        }
        return out;
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

    private static ForgettingMetric element(ScoreMatrix matrix, RunKey run, int stage, String task, String benchmark) {
        ScoreCell cell = matrix.get(stage, benchmark);
        if (cell == null) {
            return null;
        }
        double score = cell.accuracyPct();
        ScoreCell baseCell = matrix.get(0, benchmark);
        Double base = baseCell == null ? null : baseCell.accuracyPct();
        boolean relativeDefined = base != null && base != 0.0;

        double fgSum = 0;
        int covered = 0;
        Double maxForgetting = null;
        Double previous = null;
        Instant updatedAt = cell.updatedAt();
        for (int k : matrix.stages().headSet(stage)) {
            ScoreCell earlier = matrix.get(k, benchmark);
            if (earlier == null) {
                continue;
            }
            double rk = earlier.accuracyPct();
            if (k >= 1) {
                covered++;
                if (relativeDefined) {
                    fgSum += (base - rk) / base * 100;
                }
            }
            maxForgetting = maxForgetting == null ? rk - score : Math.max(maxForgetting, rk - score);
            previous = rk; // stages ascend, so the last one is p(s)
            updatedAt = max(updatedAt, earlier.updatedAt());
        }
        if (stage >= 1) {
            covered++; // stage s itself is in K(s)
            if (relativeDefined) {
                fgSum += (base - score) / base * 100;
            }
        }
        return ForgettingMetric.newBuilder()
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(stage)
                .setTask(task)
                .setScope(MetricScope.ELEMENT)
                .setCategory(matrix.categoryOf(benchmark))
                .setBenchmark(benchmark)
                .setBaselineScore(base)
                .setScore(score)
                .setFgPct(relativeDefined && covered > 0 ? fgSum / covered : null)
                .setFinalDropPct(relativeDefined ? (base - score) / base * 100 : null)
                .setMaxForgettingPp(maxForgetting)
                .setDeltaPrevPp(previous == null ? null : score - previous)
                .setStderrPp(Statistics.stderrPp(cell.n(), cell.correct()))
                .setN(cell.n())
                .setStagesCovered(covered)
                .setElementsCovered(baseCell == null ? 0 : 1)
                .setUpdatedAt(updatedAt)
                .build();
    }

    private static ForgettingMetric category(ScoreMatrix matrix, RunKey run, int stage, String task, String category,
                                             SortedSet<String> members, Map<String, ForgettingMetric> elements) {
        List<ForgettingMetric> covered = new ArrayList<>();
        Instant updatedAt = null;
        for (String benchmark : members) {
            ForgettingMetric element = elements.get(benchmark);
            if (element != null) {
                updatedAt = max(updatedAt, element.getUpdatedAt());
                if (element.getElementsCovered() == 1) {
                    covered.add(element);
                }
            } else {
                // an element without a cell at this stage still dates the record by its earlier cells
                for (int k : matrix.stages().headSet(stage)) {
                    ScoreCell earlier = matrix.get(k, benchmark);
                    if (earlier != null) {
                        updatedAt = max(updatedAt, earlier.updatedAt());
                    }
                }
            }
        }
        if (covered.isEmpty()) {
            return null;
        }
        return ForgettingMetric.newBuilder()
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(stage)
                .setTask(task)
                .setScope(MetricScope.CATEGORY)
                .setCategory(category)
                .setBenchmark(null)
                .setBaselineScore(mean(covered, ForgettingMetric::getBaselineScore))
                .setScore(mean(covered, ForgettingMetric::getScore))
                .setFgPct(mean(covered, ForgettingMetric::getFgPct))
                .setFinalDropPct(mean(covered, ForgettingMetric::getFinalDropPct))
                .setMaxForgettingPp(mean(covered, ForgettingMetric::getMaxForgettingPp))
                .setDeltaPrevPp(mean(covered, ForgettingMetric::getDeltaPrevPp))
                .setStderrPp(pooledStderr(covered))
                .setN(covered.stream().mapToInt(ForgettingMetric::getN).sum())
                .setStagesCovered(covered.stream().mapToInt(ForgettingMetric::getStagesCovered).min().orElseThrow())
                .setElementsCovered(covered.size())
                .setUpdatedAt(updatedAt)
                .build();
    }

    private static ForgettingMetric model(ScoreMatrix matrix, RunKey run, int stage, String task,
                                          List<ForgettingMetric> categories) {
        List<ForgettingMetric> general = categories.stream()
                .filter(c -> !TASK_CATEGORY.equals(c.getCategory())).toList();
        Double acc = gemAccuracy(matrix, stage);
        Double bwt = gemBackwardTransfer(matrix, stage);
        if (general.isEmpty() && acc == null && bwt == null) {
            return null;
        }
        Instant updatedAt = null;
        for (int k : matrix.stages().headSet(stage + 1)) {
            for (ScoreCell cell : matrix.row(k).values()) {
                updatedAt = max(updatedAt, cell.updatedAt());
            }
        }
        boolean any = !general.isEmpty();
        return ForgettingMetric.newBuilder()
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(stage)
                .setTask(task)
                .setScope(MetricScope.MODEL)
                .setCategory(null)
                .setBenchmark(null)
                .setBaselineScore(mean(general, ForgettingMetric::getBaselineScore))
                .setScore(mean(general, ForgettingMetric::getScore))
                .setFgPct(mean(general, ForgettingMetric::getFgPct))
                .setFinalDropPct(mean(general, ForgettingMetric::getFinalDropPct))
                .setMaxForgettingPp(mean(general, ForgettingMetric::getMaxForgettingPp))
                .setDeltaPrevPp(mean(general, ForgettingMetric::getDeltaPrevPp))
                .setStderrPp(any ? pooledStderr(general) : null)
                .setN(any ? general.stream().mapToInt(ForgettingMetric::getN).sum() : null)
                .setStagesCovered(any ? general.stream().mapToInt(ForgettingMetric::getStagesCovered).min().orElseThrow() : null)
                .setElementsCovered(any ? general.stream().mapToInt(ForgettingMetric::getElementsCovered).sum() : null)
                .setAccPct(acc)
                .setBwtPp(bwt)
                .setUpdatedAt(updatedAt)
                .build();
    }

    /** The task element trained at stage j, when the suite has one (benchmark = task, category task). */
    private static String taskElement(ScoreMatrix matrix, int stage) {
        String task = matrix.taskOf(stage);
        if (stage < 1 || task == null || !TASK_CATEGORY.equals(matrix.categoryOf(task))) {
            return null;
        }
        return task;
    }

    /** GEM ACC at stage s: mean over tasks trained at j <= s of R[s][task_j]. */
    static Double gemAccuracy(ScoreMatrix matrix, int stage) {
        double sum = 0;
        int count = 0;
        for (int j : matrix.stages().headSet(stage + 1)) {
            String element = taskElement(matrix, j);
            ScoreCell now = element == null ? null : matrix.get(stage, element);
            if (now != null) {
                sum += now.accuracyPct();
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    /** GEM BWT at stage s: mean over j < s of R[s][task_j] - R[j][task_j] (the paper's T-1 convention). */
    static Double gemBackwardTransfer(ScoreMatrix matrix, int stage) {
        double sum = 0;
        int count = 0;
        for (int j : matrix.stages().headSet(stage)) {
            String element = taskElement(matrix, j);
            ScoreCell now = element == null ? null : matrix.get(stage, element);
            ScoreCell then = element == null ? null : matrix.get(j, element);
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
