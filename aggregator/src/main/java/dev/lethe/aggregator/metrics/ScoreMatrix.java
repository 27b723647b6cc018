package dev.lethe.aggregator.metrics;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The stage x benchmark matrix of one model run, the only state forgetting metrics are computed from. */
public final class ScoreMatrix {

    /** What {@link #put} did. */
    public enum Change { NEW, REPLACED, UNCHANGED }

    private final RunKey run;
    private final TreeMap<Integer, TreeMap<String, ScoreCell>> cells = new TreeMap<>();

    public ScoreMatrix(RunKey run) {
        this.run = Objects.requireNonNull(run, "run");
    }

    public RunKey run() {
        return run;
    }

    /** Adds or replaces the cell (stage, benchmark); order of calls does not matter for the metrics. */
    public Change put(ScoreCell cell) {
        ScoreCell previous = cells.computeIfAbsent(cell.stage(), s -> new TreeMap<>()).put(cell.benchmark(), cell);
        if (previous == null) {
            return Change.NEW;
        }
        return previous.equals(cell) ? Change.UNCHANGED : Change.REPLACED;
    }

    public ScoreCell get(int stage, String benchmark) {
        Map<String, ScoreCell> row = cells.get(stage);
        return row == null ? null : row.get(benchmark);
    }

    /** Stages with at least one cell, ascending. */
    public NavigableSet<Integer> stages() {
        return Collections.unmodifiableNavigableSet(cells.navigableKeySet());
    }

    /** The cells of one stage by benchmark name (empty when the stage has none). */
    public NavigableMap<String, ScoreCell> row(int stage) {
        TreeMap<String, ScoreCell> row = cells.get(stage);
        return row == null ? Collections.emptyNavigableMap() : Collections.unmodifiableNavigableMap(row);
    }

    /** Every cell, by stage then benchmark. */
    public List<ScoreCell> cells() {
        return cells.values().stream().flatMap(r -> r.values().stream()).toList();
    }

    /** Distinct benchmark elements seen at any stage: the suite's element count used by Bonferroni. */
    public SortedSet<String> benchmarks() {
        TreeSet<String> names = new TreeSet<>();
        cells.values().forEach(r -> names.addAll(r.keySet()));
        return names;
    }

    /** Category of an element (from its newest-stage cell). */
    public String categoryOf(String benchmark) {
        for (TreeMap<String, ScoreCell> row : cells.descendingMap().values()) {
            ScoreCell cell = row.get(benchmark);
            if (cell != null) {
                return cell.category();
            }
        }
        return null;
    }

    /** The task stage {@code stage} fine-tuned on, from its cells; null when none names one. */
    public String taskOf(int stage) {
        for (ScoreCell cell : row(stage).values()) {
            if (cell.task() != null) {
                return cell.task();
            }
        }
        return null;
    }

    /** Metrics are published only once the run has a baseline: at least one stage-0 cell. */
    public boolean hasBaseline() {
        return cells.containsKey(0) && !cells.get(0).isEmpty();
    }

    public boolean isEmpty() {
        return cells.isEmpty();
    }

    public int size() {
        return cells.values().stream().mapToInt(Map::size).sum();
    }

    /** Builds a matrix from cells in any order. */
    public static ScoreMatrix of(RunKey run, Collection<ScoreCell> cells) {
        ScoreMatrix matrix = new ScoreMatrix(run);
        cells.forEach(matrix::put);
        return matrix;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoreMatrix other && run.equals(other.run) && cells.equals(other.cells);
    }

    @Override
    public int hashCode() {
        return Objects.hash(run, cells);
    }
}
