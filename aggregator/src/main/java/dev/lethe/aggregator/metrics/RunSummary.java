package dev.lethe.aggregator.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the whole of one model run needs to know without its bitsets or per-element records: the suite version every
 * score must share, how many elements each stage has or awaits, the task each stage fine-tuned on and that task's
 * own score at that stage (the diagonal of GEM's R matrix). Small: a few numbers per stage.
 */
public final class RunSummary {

    private final RunKey run;
    private String suiteVersion;
    private boolean baseline;
    private final TreeSet<Integer> stages;
    private final TreeMap<Integer, String> tasks;
    private final TreeMap<Integer, Double> diagonal;
    /** Changed since {@link #takeChanged()}: it changes about once per stage, so a store need not rewrite it per event. */
    private boolean changed = true;

    public RunSummary(RunKey run, String suiteVersion) {
        this(run, suiteVersion, false, new TreeSet<>(), new TreeMap<>(), new TreeMap<>());
    }

    public RunSummary(RunKey run, String suiteVersion, boolean baseline, TreeSet<Integer> stages,
                      TreeMap<Integer, String> tasks, TreeMap<Integer, Double> diagonal) {
        this.run = Objects.requireNonNull(run, "run");
        this.suiteVersion = suiteVersion;
        this.baseline = baseline;
        this.stages = stages;
        this.tasks = tasks;
        this.diagonal = diagonal;
    }

    public RunKey run() {
        return run;
    }

    /** The suite version of the run's scores and plans; null while only refusals are known. */
    public String suiteVersion() {
        return suiteVersion;
    }

    /** Sets the suite version if it is not known yet (a refusal never decides it). */
    void suiteVersionIfUnknown(String version) {
        if (suiteVersion == null && version != null) {
            suiteVersion = version;
            changed = true;
        }
    }

    /** The run has a stage-0 score: nothing of a run is published before. */
    public boolean hasBaseline() {
        return baseline;
    }

    void markBaseline() {
        changed |= !baseline;
        baseline = true;
    }

    /** The stages that have or await a score; stages with none (nothing announced, or all refused) are absent. */
    public NavigableSet<Integer> stages() {
        return Collections.unmodifiableNavigableSet(stages);
    }

    void expected(int stage, boolean any) {
        changed |= any ? stages.add(stage) : stages.remove(stage);
    }

    /** The run's stage before {@code stage} that has or awaits any score; null when none. */
    public Integer previousStage(int stage) {
        return stages.lower(stage);
    }

    /** Whether anything changed since the last call, and forgets it. */
    public boolean takeChanged() {
        boolean was = changed;
        changed = false;
        return was;
    }

    public NavigableMap<Integer, String> tasks() {
        return Collections.unmodifiableNavigableMap(tasks);
    }

    /** Records the task a stage fine-tuned on; true when it is news. */
    boolean task(int stage, String task) {
        boolean news = task != null && stage >= 1 && !task.equals(tasks.put(stage, task));
        changed |= news;
        return news;
    }

    public NavigableMap<Integer, Double> diagonal() {
        return Collections.unmodifiableNavigableMap(diagonal);
    }

    /** Records R[stage][task of stage]; true when it changed. */
    boolean diagonal(int stage, double score) {
        Double previous = diagonal.put(stage, score);
        boolean news = previous == null || previous != score;
        changed |= news;
        return news;
    }

    /**
     * GEM's tasks as of stage {@code stage}: each distinct task trained at a stage 1..stage, with the latest stage it
     * was trained at (a task trained twice counts once, at its latest training, as a row of GEM's R matrix).
     */
    public Map<String, Integer> tasksTrainedBy(int stage) {
        Map<String, Integer> latest = new LinkedHashMap<>();
        tasks.headMap(stage, true).forEach((s, task) -> latest.put(task, s));
        return latest;
    }
}
