package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.AlertState;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The records and alerts of one model run, kept up to date one event at a time: a score, an element planned at a
 * stage, or an element refused at a stage. An event touches only the element's own series and the slices of the
 * stages it can change (its stage and later), and returns the records and alert states that changed and may be
 * published. The final records and alerts depend only on the final data, never on the order of the events.
 *
 * <p>Publication waits for completeness: a record is published once every score it depends on that is awaited
 * (planned, not refused) is in, and a PAIRED_DROP compares with the element's true previous stage, waiting for
 * its score. Without a plan (scores only, as {@code lethe metrics} reads them) nothing is awaited, so every record
 * is published as its scores come. An alert that later data no longer supports is published again as RESOLVED.
 */
public final class IncrementalRun {

    /** FG is a mean of ratios, so its threshold is compared with this tolerance, in percent. */
    static final double FG_TOLERANCE = 1e-9;

    /**
     * What one event changed: records to publish, and alerts (new, changed, or RESOLVED) to publish; under {@link
     * Publication#LATER}, instead, the stages whose records and alerts wait for {@link #publish}.
     */
    public record Update(List<ForgettingMetric> metrics, List<KnowledgeLossAlert> alerts, SortedSet<Integer> stagesToPublish) {

        static final Update NONE = new Update(List.of(), List.of(), Collections.emptySortedSet());

        public boolean isEmpty() {
            return metrics.isEmpty() && alerts.isEmpty() && stagesToPublish.isEmpty();
        }
    }

    /**
     * When an event's changes are published: at once ({@code lethe metrics}, which feeds one score at a time in stage
     * order), or later, by {@link #publish}, so that the many events that move a stage's records between two
     * publications (a backlog read faster than the announcements that say what is awaited) publish them once.
     */
    public enum Publication { NOW, LATER }

    private final RunKey run;
    private final RunStore store;
    private final AlertConfig config;
    private final Publication publication;

    public IncrementalRun(RunKey run, RunStore store, AlertConfig config) {
        this(run, store, config, Publication.NOW);
    }

    public IncrementalRun(RunKey run, RunStore store, AlertConfig config, Publication publication) {
        this.run = run;
        this.store = store;
        this.config = config;
        this.publication = publication;
    }

    /** A score came in (new, or replacing the cell's earlier score). */
    public Update score(ScoreCell cell, String suiteVersion, Instant now) {
        ElementSeries series = series(cell.benchmark(), cell.category());
        if (series.put(cell) == ScoreMatrix.Change.UNCHANGED) {
            return Update.NONE;
        }
        return refresh(summary(suiteVersion), series, cell.stage(), Integer.MAX_VALUE, now);
    }

    /** The planner announced {@code element} at {@code stage}: its score is awaited. */
    public Update planned(int stage, String element, String category, String suiteVersion, Instant now) {
        ElementSeries series = series(element, category);
        if (!series.plan(stage, category)) {
            return Update.NONE;
        }
        return refresh(summary(suiteVersion), series, stage, reach(series, stage), now);
    }

    /** The score of {@code element} at {@code stage} was refused (dead-lettered): it is no longer awaited. */
    public Update refused(int stage, String element, String suiteVersion, Instant now) {
        ElementSeries series = series(element, null);
        if (!series.refuse(stage)) {
            return Update.NONE;
        }
        return refresh(summary(null), series, stage, reach(series, stage), now); // a refusal never decides the suite version
    }

    private RunSummary summary(String suiteVersion) {
        RunSummary summary = store.summary();
        if (summary == null) {
            summary = new RunSummary(run, null);
        }
        summary.suiteVersionIfUnknown(suiteVersion);
        return summary;
    }

    /**
     * The last stage an announcement or refusal at {@code stage} can change. Once the element's score there is in,
     * only that stage: whether the score was awaited no longer moves the element's first gap or its previous stage
     * anywhere later. Else every later stage (their records wait for, or stop waiting for, this score). In a backlog,
     * where announcements overtake nothing and arrive after their scores, this keeps an announcement from
     * recomputing the run's every later stage.
     */
    private static int reach(ElementSeries series, int stage) {
        return series.cells().containsKey(stage) ? stage : Integer.MAX_VALUE;
    }

    private ElementSeries series(String element, String category) {
        ElementSeries series = store.series(element);
        return series != null ? series : new ElementSeries(run, element, category);
    }

    /**
     * Brings the element's entries and every stage from {@code from} to {@code to} up to date, and publishes the changes (or
     * names the stages to publish later).
     */
    private Update refresh(RunSummary summary, ElementSeries series, int from, int to, Instant now) {
        TreeSet<Integer> stages = new TreeSet<>(summary.stages().subSet(from, true, to, true));
        stages.addAll(series.cells().subMap(from, true, to, true).keySet());
        stages.addAll(series.planned().subSet(from, true, to, true));
        stages.addAll(series.refused().subSet(from, true, to, true));
        TreeMap<Integer, ForgettingMetric> records = series.records(from);
        Integer gap = series.firstGap();
        String element = series.element();
        TreeMap<Integer, StageSlice> slices = new TreeMap<>();
        for (int stage : stages) {
            StageSlice slice = slice(stage);
            slices.put(stage, slice);
            ScoreCell cell = series.cells().get(stage);
            if (cell != null) {
                ForgettingMetric record = records.get(stage);
                StageSlice.Entry before = slice.entries().get(element);
                boolean published = before != null && before.published() && before.record().equals(record);
                StageSlice.Entry entry = new StageSlice.Entry(record, gap == null || gap > stage, series.drop(stage), published);
                if (!entry.equals(before)) { // an unchanged entry keeps its object: stores write what changed
                    slice.entries().put(element, entry);
                }
                summary.task(stage, cell.task());
                if (stage == 0) {
                    summary.markBaseline();
                }
                if (element.equals(cell.task()) && RunMetrics.TASK_CATEGORY.equals(series.category())) {
                    summary.diagonal(stage, cell.accuracyPct());
                }
            }
            if (series.planned().contains(stage)) {
                slice.planned().put(element, series.category());
            }
            if (series.refused().contains(stage)) {
                slice.refused().add(element);
            }
            summary.expected(stage, slice.hasExpected());
        }
        store.put(series);
        store.put(summary);
        if (publication == Publication.LATER) {
            slices.values().forEach(slice -> store.put(slice, element)); // the event changed only this element's parts
            return new Update(List.of(), List.of(), Collections.unmodifiableSortedSet(new TreeSet<>(slices.keySet())));
        }
        return publish(summary, slices, now);
    }

    /**
     * Publishes what changed at {@code stages} since their last publication: each stage's final records, and its alert
     * states (FIRING, or RESOLVED at {@code now}). Nothing before the run's first score.
     */
    public Update publish(SortedSet<Integer> stages, Instant now) {
        RunSummary summary = store.summary();
        if (summary == null) {
            return Update.NONE;
        }
        TreeMap<Integer, StageSlice> slices = new TreeMap<>();
        for (int stage : stages) {
            slices.put(stage, slice(stage));
        }
        return publish(summary, slices, now);
    }

    private Update publish(RunSummary summary, TreeMap<Integer, StageSlice> slices, Instant now) {
        List<ForgettingMetric> metrics = new ArrayList<>();
        List<KnowledgeLossAlert> alerts = new ArrayList<>();
        Map<Integer, StageSlice> earlier = new HashMap<>(); // read-only slices before the first revisited stage
        for (StageSlice slice : slices.values()) {
            Integer previous = summary.previousStage(slice.stage());
            // read only when an FG rule needs the previous stage: most events never do
            Supplier<StageSlice> before = previous == null ? () -> null
                    : () -> slices.containsKey(previous) ? slices.get(previous) : earlier.computeIfAbsent(previous, this::slice);
            publish(summary, slice, before, now, metrics, alerts);
            store.put(slice);
        }
        return new Update(metrics, alerts, Collections.emptySortedSet());
    }

    private StageSlice slice(int stage) {
        StageSlice slice = store.slice(stage);
        return slice != null ? slice : new StageSlice(stage);
    }

    /** Publishes the stage's final records that changed, and the alert states that changed. */
    private void publish(RunSummary summary, StageSlice slice, Supplier<StageSlice> before, Instant now,
                         List<ForgettingMetric> metrics, List<KnowledgeLossAlert> alerts) {
        if (!summary.hasBaseline()) {
            return; // nothing of a run is published before it has a stage-0 score
        }
        String task = summary.tasks().get(slice.stage());
        List<ForgettingMetric> categories = categoryRecords(slice, task);
        StageSlice.Completeness complete = slice.completeness();
        for (Map.Entry<String, StageSlice.Entry> entry : slice.entries().entrySet()) {
            StageSlice.Entry element = entry.getValue();
            if (element.settled() && !element.published()) {
                metrics.add(element.record());
                entry.setValue(element.asPublished());
            }
        }
        for (ForgettingMetric category : categories) {
            if (complete.settled(category.getCategory())) {
                changed(slice, category, metrics);
            }
        }
        ForgettingMetric model = slice.modelRecord(summary, categories);
        if (model != null && complete.allSettled()) {
            changed(slice, model, metrics);
        }
        TreeMap<String, KnowledgeLossAlert> firing = alerts(summary, slice, complete, categories, before);
        firing.forEach((id, alert) -> {
            if (!alert.equals(slice.alerts().get(id))) { // an unchanged alert keeps its object: stores write what changed
                slice.alerts().put(id, alert);
                alerts.add(alert);
            }
        });
        for (KnowledgeLossAlert published : List.copyOf(slice.alerts().values())) {
            if (!firing.containsKey(published.getAlertId()) && published.getState() == AlertState.FIRING) {
                KnowledgeLossAlert resolved = KnowledgeLossAlert.newBuilder(published)
                        .setState(AlertState.RESOLVED)
                        .setResolvedAt(now)
                        .setResolution(resolution(slice, complete, before, published))
                        .build();
                slice.alerts().put(resolved.getAlertId(), resolved);
                alerts.add(resolved);
            }
        }
    }

    /** Publishes {@code record} unless it equals what was published under its key; an unchanged one keeps its object. */
    private void changed(StageSlice slice, ForgettingMetric record, List<ForgettingMetric> out) {
        String key = StageSlice.key(record);
        if (!record.equals(slice.published().get(key))) {
            slice.published().put(key, record);
            out.add(record);
        }
    }

    private List<ForgettingMetric> categoryRecords(StageSlice slice, String task) {
        return slice.categoryRecords(run, task);
    }

    /** The alerts the stage's data supports now, by alertId. */
    private TreeMap<String, KnowledgeLossAlert> alerts(RunSummary summary, StageSlice slice,
                                                       StageSlice.Completeness complete, List<ForgettingMetric> categories,
                                                       Supplier<StageSlice> before) {
        TreeMap<String, KnowledgeLossAlert> out = new TreeMap<>();
        int elements = complete.bonferroniElements();
        for (Map.Entry<String, StageSlice.Entry> entry : slice.entries().entrySet()) {
            DropOutcome drop = entry.getValue().drop();
            if (drop != null && drop.fires(config, elements)) {
                KnowledgeLossAlert alert = dropAlert(slice.stage(), entry.getKey(), entry.getValue().record().getCategory(), drop);
                out.put(alert.getAlertId(), alert);
            }
        }
        for (ForgettingMetric category : categories) {
            KnowledgeLossAlert alert = fgCrossing(summary, complete, slice, category, before);
            if (alert != null) {
                out.put(alert.getAlertId(), alert);
            }
        }
        return out;
    }

    private KnowledgeLossAlert dropAlert(int stage, String element, String category, DropOutcome drop) {
        return KnowledgeLossAlert.newBuilder()
                .setAlertId(KnowledgeLossRules.alertId(run, stage, element, drop.rule()))
                .setSeverity(drop.critical(config) ? AlertSeverity.CRITICAL : AlertSeverity.WARNING)
                .setRule(drop.rule())
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(stage)
                .setPreviousStage(drop.previousStage())
                .setCategory(category)
                .setBenchmark(element)
                .setPreviousScore(drop.previousScore())
                .setScore(drop.score())
                .setDropPp(drop.dropPp())
                .setRelativeDropPct(drop.relativeDropPct())
                .setPValue(drop.pValue())
                .setB(drop.b())
                .setC(drop.c())
                .setN(drop.n())
                .setFgPct(null)
                .setCreatedAt(drop.createdAt())
                .build();
    }

    /**
     * FG_THRESHOLD: the category's FG over its elements not within noise of chance
     * ({@link StageSlice#fgPctAboveChance}) is at or above maxFgPct at this stage and at the run's previous stage it
     * was below (or undefined). Judged only when the category is complete here and at the previous stage.
     */
    private KnowledgeLossAlert fgCrossing(RunSummary summary, StageSlice.Completeness complete, StageSlice slice,
                                          ForgettingMetric record, Supplier<StageSlice> previousSlice) {
        String category = record.getCategory();
        int stage = slice.stage();
        Double fgPct = slice.fgPctAboveChance(category, config.alpha());
        if (!complete.settled(category) || !reaches(fgPct)) {
            return null;
        }
        ForgettingMetric previous = null;
        StageSlice before = previousSlice.get();
        if (before != null) {
            if (!before.settled(category)) {
                return null; // the previous stage of this category is still coming in
            }
            previous = before.categoryRecord(run, summary.tasks().get(before.stage()), category);
            if (reaches(before.fgPctAboveChance(category, config.alpha()))) {
                return null;
            }
        }
        Double previousScore = previous == null ? null : previous.getScore();
        Double dropPp = previousScore == null || record.getScore() == null ? null : previousScore - record.getScore();
        return KnowledgeLossAlert.newBuilder()
                .setAlertId(KnowledgeLossRules.alertId(run, stage, "category:" + category, AlertRule.FG_THRESHOLD))
                .setSeverity(AlertSeverity.WARNING)
                .setRule(AlertRule.FG_THRESHOLD)
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(stage)
                .setPreviousStage(previous == null ? null : previous.getStage())
                .setCategory(category)
                .setBenchmark(null)
                .setPreviousScore(previousScore)
                .setScore(record.getScore())
                .setDropPp(dropPp)
                .setRelativeDropPct(dropPp == null || previousScore == 0 ? null : dropPp / previousScore * 100)
                .setPValue(null)
                .setN(record.getN())
                .setFgPct(fgPct)
                .setCreatedAt(record.getUpdatedAt())
                .build();
    }

    private boolean reaches(Double fgPct) {
        return fgPct != null && fgPct >= config.maxFgPct() - FG_TOLERANCE;
    }

    /** Why a published alert no longer holds, in words, for the RESOLVED record. */
    private String resolution(StageSlice slice, StageSlice.Completeness complete, Supplier<StageSlice> previousSlice,
                              KnowledgeLossAlert alert) {
        if (alert.getRule() == AlertRule.FG_THRESHOLD) {
            StageSlice before = previousSlice.get();
            String category = alert.getCategory();
            Double now = slice.fgPctAboveChance(category, config.alpha());
            if (!complete.settled(category) || before != null && !before.settled(category)) {
                return "category " + category + " is still coming in at stage " + slice.stage() + " or the stage before";
            }
            return "category " + category + " FG is "
                    + (now == null ? "undefined" : String.format("%.2f %%", now)) + " at stage " + slice.stage()
                    + "; the crossing of " + config.maxFgPct() + " % is not at this stage";
        }
        StageSlice.Entry entry = slice.entries().get(alert.getBenchmark());
        DropOutcome drop = entry == null ? null : entry.drop();
        if (drop == null) {
            return "no earlier score of " + alert.getBenchmark() + " to compare with";
        }
        if (drop.pending()) {
            return "stage " + drop.previousStage() + " of " + alert.getBenchmark() + " is awaited: the drop is judged against it";
        }
        return String.format("against stage %d the change is %.2f pp (p = %.3g, alpha/%d = %.3g): below the rule",
                drop.previousStage(), -drop.dropPp(), drop.pValue(), complete.bonferroniElements(),
                config.alpha() / complete.bonferroniElements());
    }
}
