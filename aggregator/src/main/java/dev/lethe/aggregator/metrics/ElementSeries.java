package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricScope;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One benchmark element of one model run across stages: its cells (with their item bitsets), the stages at which
 * it was planned (announced by the planner) and those at which it was refused (dead-lettered, so never coming).
 * Everything about the element that does not involve other elements is computed here: its ELEMENT records, its
 * drop tests and whether its data up to a stage is complete.
 */
public final class ElementSeries {

    private final RunKey run;
    private final String element;
    private String category;
    private final TreeMap<Integer, ScoreCell> cells = new TreeMap<>();
    private final TreeSet<Integer> planned = new TreeSet<>();
    private final TreeSet<Integer> refused = new TreeSet<>();
    /** Planned stages with no cell yet and not refused, kept as the sets change so the first gap is one lookup. */
    private final TreeSet<Integer> awaited = new TreeSet<>();
    /** Stages whose cell, plan or refusal changed since {@link #takeChangedStages()}: what a store must rewrite. */
    private final TreeSet<Integer> changed = new TreeSet<>();
    /** The header (run, element, category) changed since {@link #takeHeaderChanged()}: new, or its category set. */
    private boolean headerChanged = true;
    /** Derived, not stored: the baseline of cell 0, and the running state after each stage with a cell. */
    private Baseline baseline;
    private final TreeMap<Integer, Running> prefix = new TreeMap<>();

    public ElementSeries(RunKey run, String element, String category) {
        this.run = Objects.requireNonNull(run, "run");
        this.element = Objects.requireNonNull(element, "element");
        this.category = category;
    }

    public RunKey run() {
        return run;
    }

    public String element() {
        return element;
    }

    /** The element's category: from its cells, else from the plan; null while neither is known. */
    public String category() {
        return category;
    }

    public NavigableMap<Integer, ScoreCell> cells() {
        return Collections.unmodifiableNavigableMap(cells);
    }

    public NavigableSet<Integer> planned() {
        return Collections.unmodifiableNavigableSet(planned);
    }

    public NavigableSet<Integer> refused() {
        return Collections.unmodifiableNavigableSet(refused);
    }

    /**
     * Adds or replaces a cell.
     *
     * @throws IllegalArgumentException when the cell names another category than the element's earlier cells (an
     *                                  element belongs to one category; which one first arrived must not decide)
     */
    public ScoreMatrix.Change put(ScoreCell cell) {
        if (!cell.benchmark().equals(element)) {
            throw new IllegalArgumentException("cell of " + cell.benchmark() + " put into the series of " + element);
        }
        if (!cells.isEmpty() && !cell.category().equals(category)) {
            throw new IllegalArgumentException("element " + element + " is in category " + category
                    + " but the score of stage " + cell.stage() + " says " + cell.category());
        }
        headerChanged |= !cell.category().equals(category);
        category = cell.category();
        ScoreCell previous = cells.put(cell.stage(), cell);
        awaited.remove(cell.stage());
        if (!cell.equals(previous)) { // the running state from this stage on, and with stage 0 the baseline, is stale
            prefix.tailMap(cell.stage(), true).clear();
            if (cell.stage() == 0) {
                baseline = null;
                prefix.clear();
            }
        }
        if (previous == null) {
            changed.add(cell.stage());
            return ScoreMatrix.Change.NEW;
        }
        if (previous.equals(cell)) {
            return ScoreMatrix.Change.UNCHANGED;
        }
        changed.add(cell.stage());
        return ScoreMatrix.Change.REPLACED;
    }

    /** Records that the planner announced the element at {@code stage}; true when that is news. */
    public boolean plan(int stage, String plannedCategory) {
        if (category == null && plannedCategory != null) {
            category = plannedCategory;
            headerChanged = true;
        }
        boolean news = planned.add(stage);
        if (news && !cells.containsKey(stage) && !refused.contains(stage)) {
            awaited.add(stage);
        }
        if (news) {
            changed.add(stage);
        }
        return news;
    }

    /** Records that the element's score at {@code stage} was refused and will not come; true when that is news. */
    public boolean refuse(int stage) {
        boolean news = refused.add(stage);
        awaited.remove(stage);
        if (news) {
            changed.add(stage);
        }
        return news;
    }

    /** The stages changed since the last call (a store writes only those), and forgets them. */
    public TreeSet<Integer> takeChangedStages() {
        TreeSet<Integer> out = new TreeSet<>(changed);
        changed.clear();
        return out;
    }

    /** Whether the header changed since the last call (a store rewrites it only then), and forgets it. */
    public boolean takeHeaderChanged() {
        boolean was = headerChanged;
        headerChanged = false;
        return was;
    }

    /** A score is present or still awaited at {@code stage}: it has a cell, or was planned and not refused. */
    public boolean expected(int stage) {
        return cells.containsKey(stage) || planned.contains(stage) && !refused.contains(stage);
    }

    /** The first stage whose score is awaited but not in yet; null when nothing is awaited. */
    public Integer firstGap() {
        return awaited.isEmpty() ? null : awaited.first();
    }

    /** Every awaited score at stages <= {@code stage} is in: the element's records up to there are final. */
    public boolean settledUpTo(int stage) {
        Integer gap = firstGap();
        return gap == null || gap > stage;
    }

    /** The previous stage before {@code stage} at which the element has or awaits a score; null when none. */
    public Integer previousExpected(int stage) {
        Integer withCell = cells.lowerKey(stage);
        for (int s : planned.headSet(stage, false).descendingSet()) {
            if (withCell != null && withCell >= s) {
                break;
            }
            if (!refused.contains(s)) {
                return s;
            }
        }
        return withCell;
    }

    /** The drop test at {@code stage}: against the true previous stage, pending while its score is awaited. */
    public DropOutcome drop(int stage) {
        ScoreCell now = cells.get(stage);
        if (now == null || stage < 1) {
            return null;
        }
        Integer previous = previousExpected(stage);
        if (previous == null) {
            return null;
        }
        ScoreCell before = cells.get(previous);
        return before == null ? DropOutcome.pending(previous) : DropOutcome.of(before, now);
    }

    /**
     * The ELEMENT record at every stage with a cell (docs/METRICS.md): FG against the stage-0 baseline over the
     * stages 1..s with data, final drop, Chaudhry's maximum forgetting, change from the previous stage with data.
     */
    public TreeMap<Integer, ForgettingMetric> records() {
        return records(0);
    }

    /**
     * The ELEMENT records at the stages >= {@code from} with a cell (the earlier cells still feed the running sums):
     * a new cell at the end of a long series builds one record, not one per stage.
     */
    public TreeMap<Integer, ForgettingMetric> records(int from) {
        TreeMap<Integer, ForgettingMetric> out = new TreeMap<>();
        ScoreCell baseCell = cells.get(0);
        if (baseline == null && baseCell != null) {
            baseline = new Baseline(baseCell);
        }
        // resume from the running state after the last stage before `from` (the same sums, added in the same order)
        Map.Entry<Integer, Running> resume = from == 0 ? null : prefix.floorEntry(from - 1);
        Running state = resume == null ? Running.START : resume.getValue();
        for (ScoreCell cell : resume == null ? cells.values() : cells.tailMap(resume.getKey(), false).values()) {
            int stage = cell.stage();
            Running before = state;
            state = state.after(cell, baseline);
            if (stage >= from) {
                out.put(stage, record(stage, cell, baseline, before, state));
            }
            prefix.put(stage, state);
        }
        return out;
    }

    /**
     * The running state after a stage, over K(s), the stages 1..s with a score: FG sums, the best earlier score, the
     * last score, the newest update. Immutable, so each stage's state is kept and a new cell at the end of a long
     * series resumes from the state before it instead of re-adding every earlier stage.
     */
    private record Running(int covered, double fgSum, double normalisedSum, Double maxEarlier, Double previous,
                           Instant newest) {

        static final Running START = new Running(0, 0, 0, null, null, null);

        Running after(ScoreCell cell, Baseline baseline) {
            double score = cell.accuracyPct();
            int c = covered;
            double fg = fgSum;
            double normalised = normalisedSum;
            if (cell.stage() >= 1) {
                c++;
                if (baseline != null && baseline.relativeDefined()) {
                    fg += (baseline.score() - score) / baseline.score() * 100;
                }
                if (baseline != null && baseline.marginDefined()) {
                    normalised += (baseline.score() - score) / (baseline.score() - baseline.chancePct()) * 100;
                }
            }
            return new Running(c, fg, normalised, maxEarlier == null ? score : Math.max(maxEarlier, score), score,
                    RunMetrics.max(newest, cell.updatedAt()));
        }
    }

    /**
     * The stage-0 score R0 and the chance level C of the element (the baseline cell's: the suite, hence C, is fixed
     * within a run), and what follows from them.
     */
    private record Baseline(double score, Double chancePct, Double chancePValue) {

        Baseline(ScoreCell cell) {
            this(cell.accuracyPct(), cell.chancePct(), cell.chancePct() == null ? null
                    : Statistics.binomialUpperTail(cell.n(), cell.correct(), cell.chancePct() / 100));
        }

        /** Luo's FG and the final drop divide by R0. */
        boolean relativeDefined() {
            return score != 0.0;
        }

        /** The chance-normalised FG divides by the margin above chance R0 - C. */
        boolean marginDefined() {
            return chancePct != null && score > chancePct;
        }
    }

    /** The record of {@code cell}: {@code before} is the running state up to the stage before, {@code running} with it. */
    private ForgettingMetric record(int stage, ScoreCell cell, Baseline base, Running before, Running running) {
        Double maxEarlier = before.maxEarlier();
        Double previous = before.previous();
        double score = cell.accuracyPct();
        boolean relativeDefined = base != null && base.relativeDefined();
        boolean marginDefined = base != null && base.marginDefined();
        int covered = running.covered();
        return ForgettingMetric.newBuilder()
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(stage)
                .setTask(cell.task())
                .setScope(MetricScope.ELEMENT)
                .setCategory(category)
                .setBenchmark(element)
                .setBaselineScore(base == null ? null : base.score())
                .setScore(score)
                .setFgPct(relativeDefined && covered > 0 ? running.fgSum() / covered : null)
                .setFinalDropPct(relativeDefined ? (base.score() - score) / base.score() * 100 : null)
                .setMaxForgettingPp(maxEarlier == null ? null : maxEarlier - score)
                .setDeltaPrevPp(previous == null ? null : score - previous)
                .setStderrPp(Statistics.stderrPp(cell.n(), cell.correct()))
                .setN(cell.n())
                .setStagesCovered(covered)
                .setElementsCovered(base != null ? 1 : 0)
                .setAccPct(null)
                .setBwtPp(null)
                .setAvgForgettingPp(null)
                .setModels(null)
                .setUpdatedAt(running.newest())
                .setChancePct(base == null ? cell.chancePct() : base.chancePct())
                .setChanceNormalisedFgPct(marginDefined && covered > 0 ? running.normalisedSum() / covered : null)
                .setChancePValue(base == null ? null : base.chancePValue())
                .build();
    }
}
