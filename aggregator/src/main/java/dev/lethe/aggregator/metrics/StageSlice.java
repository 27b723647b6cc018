package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One stage of one model run, without bitsets: the elements planned and refused at that stage, each scored
 * element's ELEMENT record, whether it is final and its drop test, and what has been published for the stage (the
 * last record per key and the latest state per alert). CATEGORY and MODEL records of the stage are computed from it.
 */
public final class StageSlice {

    /**
     * A scored element at this stage.
     *
     * @param record    its ELEMENT record
     * @param settled   every awaited score of the element at stages <= this one is in (the record is final)
     * @param drop      its drop test against its previous stage, null when there is none
     * @param published this very record has been published
     */
    public record Entry(ForgettingMetric record, boolean settled, DropOutcome drop, boolean published) {

        Entry asPublished() {
            return new Entry(record, settled, drop, true);
        }
    }

    private final int stage;
    private final TreeMap<String, String> planned;
    private final TreeSet<String> refused;
    private final TreeMap<String, Entry> entries;
    private final TreeMap<String, ForgettingMetric> published;
    private final TreeMap<String, KnowledgeLossAlert> alerts;

    public StageSlice(int stage) {
        this(stage, new TreeMap<>(), new TreeSet<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    }

    public StageSlice(int stage, TreeMap<String, String> planned, TreeSet<String> refused, TreeMap<String, Entry> entries,
                      TreeMap<String, ForgettingMetric> published, TreeMap<String, KnowledgeLossAlert> alerts) {
        this.stage = stage;
        this.planned = planned;
        this.refused = refused;
        this.entries = entries;
        this.published = published;
        this.alerts = alerts;
    }

    public int stage() {
        return stage;
    }

    /** Planned elements by name, with their category. */
    public NavigableMap<String, String> planned() {
        return planned;
    }

    public TreeSet<String> refused() {
        return refused;
    }

    public NavigableMap<String, Entry> entries() {
        return entries;
    }

    /** The last CATEGORY and MODEL record published per key ({@link #key(ForgettingMetric)}); ELEMENT records carry a flag. */
    public NavigableMap<String, ForgettingMetric> published() {
        return published;
    }

    /** Every record of this stage as last published: ELEMENT records flagged published, then CATEGORY and MODEL. */
    public List<ForgettingMetric> publishedRecords() {
        List<ForgettingMetric> out = new ArrayList<>();
        entries.values().stream().filter(Entry::published).forEach(e -> out.add(e.record()));
        out.addAll(published.values());
        return out;
    }

    /** The latest state published per alertId. */
    public NavigableMap<String, KnowledgeLossAlert> alerts() {
        return alerts;
    }

    /**
     * What is complete at this stage, computed in one pass.
     *
     * @param expected    elements scored or awaited here: Bonferroni's divisor (at least 1)
     * @param unsettled   categories with an element awaited here, or scored but with an earlier score still awaited
     * @param allSettled  no element here is awaited or has an earlier score awaited
     */
    public record Completeness(int expected, java.util.Set<String> unsettled, boolean allSettled) {

        public int bonferroniElements() {
            return Math.max(1, expected);
        }

        /** Every element of {@code category} scored or awaited here is in, with all its earlier awaited scores. */
        public boolean settled(String category) {
            return !unsettled.contains(category);
        }
    }

    public Completeness completeness() {
        java.util.Set<String> unsettled = new java.util.HashSet<>();
        boolean all = true;
        int expected = entries.size();
        for (Entry entry : entries.values()) {
            if (!entry.settled()) {
                all = false;
                unsettled.add(entry.record().getCategory());
            }
        }
        for (Map.Entry<String, String> plan : planned.entrySet()) {
            if (!entries.containsKey(plan.getKey()) && !refused.contains(plan.getKey())) {
                expected++; // awaited, not in yet
                all = false;
                if (plan.getValue() != null) {
                    unsettled.add(plan.getValue());
                }
            }
        }
        return new Completeness(expected, unsettled, all);
    }

    /** Some element is scored or awaited at this stage. */
    public boolean hasExpected() {
        return !entries.isEmpty() || planned.keySet().stream().anyMatch(e -> !refused.contains(e));
    }


    /** Every element of {@code category} scored or awaited here is in, with all its earlier awaited scores. */
    public boolean settled(String category) {
        return completeness().settled(category);
    }



    /** The CATEGORY records of the scored elements' categories, in category order (each as {@link #categoryRecord}). */
    public List<ForgettingMetric> categoryRecords(RunKey run, String task) {
        TreeMap<String, List<Entry>> byCategory = new TreeMap<>();
        entries.values().forEach(e -> byCategory.computeIfAbsent(e.record().getCategory(), c -> new ArrayList<>()).add(e));
        List<ForgettingMetric> out = new ArrayList<>();
        byCategory.forEach((category, members) -> {
            ForgettingMetric record = categoryRecord(run, task, category, members);
            if (record != null) {
                out.add(record);
            }
        });
        return out;
    }

    /**
     * The CATEGORY record: unweighted means over the category's elements with a score here and at stage 0
     * ({@code elementsCovered}); null while none is covered.
     */
    public ForgettingMetric categoryRecord(RunKey run, String task, String category) {
        return categoryRecord(run, task, category, entries.values());
    }

    private ForgettingMetric categoryRecord(RunKey run, String task, String category, Iterable<Entry> members) {
        List<ForgettingMetric> covered = new ArrayList<>();
        Instant updatedAt = null;
        for (Entry entry : members) {
            ForgettingMetric element = entry.record();
            if (category.equals(element.getCategory())) {
                updatedAt = RunMetrics.max(updatedAt, element.getUpdatedAt());
                if (element.getElementsCovered() == 1) {
                    covered.add(element);
                }
            }
        }
        if (covered.isEmpty()) {
            return null;
        }
        return RunMetrics.withMeans(ForgettingMetric.newBuilder(), covered)
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(stage)
                .setTask(task)
                .setScope(MetricScope.CATEGORY)
                .setCategory(category)
                .setBenchmark(null)
                .setStderrPp(RunMetrics.pooledStderr(covered))
                .setN(covered.stream().mapToInt(ForgettingMetric::getN).sum())
                .setStagesCovered(covered.stream().mapToInt(ForgettingMetric::getStagesCovered).min().orElseThrow())
                .setElementsCovered(covered.size())
                .setUpdatedAt(updatedAt)
                .build();
    }

    /**
     * The FG that FG_THRESHOLD judges for {@code category}: the mean {@code fgPct} over the covered elements that are
     * not within noise of chance, i.e. whose stage-0 score is above their chance level at one-sided binomial p <
     * {@code alpha} ({@code chancePValue}; an element whose chance level is unknown or not applicable counts as
     * before). Null when no such element has an FG. Equals the CATEGORY {@code fgPct} when no element is at chance.
     */
    public Double fgPctAboveChance(String category, double alpha) {
        double sum = 0;
        int count = 0;
        for (Entry entry : entries.values()) {
            ForgettingMetric element = entry.record();
            if (category.equals(element.getCategory()) && element.getElementsCovered() == 1
                    && element.getFgPct() != null && !withinNoiseOfChance(element, alpha)) {
                sum += element.getFgPct();
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    /** The element's stage-0 score is not above its chance level at one-sided binomial p < alpha. */
    public static boolean withinNoiseOfChance(ForgettingMetric element, double alpha) {
        return element.getChancePValue() != null && element.getChancePValue() >= alpha;
    }

    /**
     * The MODEL record: means over the non-task CATEGORY records, and GEM's ACC and BWT and Chaudhry's average
     * forgetting over the distinct tasks trained so far (each at its latest training stage); null when empty.
     */
    public ForgettingMetric modelRecord(RunSummary summary, List<ForgettingMetric> categories) {
        RunKey run = summary.run();
        List<ForgettingMetric> general = categories.stream()
                .filter(c -> !RunMetrics.TASK_CATEGORY.equals(c.getCategory())).toList();
        // GEM and Chaudhry's F read only task elements scored here: without one, no need to list the tasks trained
        boolean anyTask = entries.values().stream().anyMatch(e -> RunMetrics.TASK_CATEGORY.equals(e.record().getCategory()));
        Map<String, Integer> trained = anyTask ? summary.tasksTrainedBy(stage) : Map.of();
        Double acc = gemAccuracy(trained);
        Double bwt = gemBackwardTransfer(trained, summary.diagonal());
        Double forgetting = averageForgetting(trained);
        if (general.isEmpty() && acc == null && bwt == null) {
            return null;
        }
        Instant updatedAt = null;
        for (Entry entry : entries.values()) {
            updatedAt = RunMetrics.max(updatedAt, entry.record().getUpdatedAt());
        }
        boolean any = !general.isEmpty();
        return RunMetrics.withMeans(ForgettingMetric.newBuilder(), general)
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(stage)
                .setTask(summary.tasks().get(stage))
                .setScope(MetricScope.MODEL)
                .setCategory(null)
                .setBenchmark(null)
                .setStderrPp(any ? RunMetrics.pooledStderr(general) : null)
                .setN(any ? general.stream().mapToInt(ForgettingMetric::getN).sum() : null)
                .setStagesCovered(any ? general.stream().mapToInt(ForgettingMetric::getStagesCovered).min().orElseThrow() : null)
                .setElementsCovered(any ? general.stream().mapToInt(ForgettingMetric::getElementsCovered).sum() : null)
                .setAccPct(acc)
                .setBwtPp(bwt)
                .setAvgForgettingPp(forgetting)
                .setUpdatedAt(updatedAt)
                .build();
    }

    /** This stage's record of a task element, when the task has one in category {@code task}. */
    private ForgettingMetric taskRecord(String task) {
        Entry entry = entries.get(task);
        return entry != null && RunMetrics.TASK_CATEGORY.equals(entry.record().getCategory()) ? entry.record() : null;
    }

    /** GEM ACC: mean over the distinct tasks trained at stages 1..s of R[s][task]. */
    private Double gemAccuracy(Map<String, Integer> trained) {
        double sum = 0;
        int count = 0;
        for (String task : trained.keySet()) {
            ForgettingMetric now = taskRecord(task);
            if (now != null) {
                sum += now.getScore();
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    /** GEM BWT: mean over the distinct tasks last trained at j < s of R[s][task] - R[j][task]. */
    private Double gemBackwardTransfer(Map<String, Integer> trained, Map<Integer, Double> diagonal) {
        double sum = 0;
        int count = 0;
        for (Map.Entry<String, Integer> task : trained.entrySet()) {
            ForgettingMetric now = taskRecord(task.getKey());
            Double then = diagonal.get(task.getValue());
            if (task.getValue() < stage && now != null && then != null) {
                sum += now.getScore() - then;
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    /** Chaudhry's F: mean over the distinct tasks last trained before s of their maxForgettingPp at s. */
    private Double averageForgetting(Map<String, Integer> trained) {
        double sum = 0;
        int count = 0;
        for (Map.Entry<String, Integer> task : trained.entrySet()) {
            ForgettingMetric now = taskRecord(task.getKey());
            if (task.getValue() < stage && now != null && now.getMaxForgettingPp() != null) {
                sum += now.getMaxForgettingPp();
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    /** The key under which a record of this stage is remembered as published. */
    public static String key(ForgettingMetric record) {
        return switch (record.getScope()) {
            case ELEMENT -> "E\u0000" + record.getBenchmark();
            case CATEGORY -> "C\u0000" + record.getCategory();
            default -> "M";
        };
    }
}
