package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.ScoreCell;

/** The values of the {@value AggregatorTopology#RUN_CELLS} store, for readers outside the topology (queries). */
public final class RunCells {

    private RunCells() {
    }

    /** One stage of one element: its cell (null when only planned or refused). */
    public interface Cell {
        ScoreCell cell();
    }
}
