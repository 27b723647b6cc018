package dev.lethe.aggregator.topology;

import dev.lethe.schemas.names.CheckpointNames;

/**
 * The longest name (campaign, model, element, category, ...) the aggregator takes in. Its state and its internal
 * topics write names as modified UTF-8, which holds at most 65,535 bytes: a longer name would fail every write of the
 * record and stop the stream thread on it again after each restart, so it is refused where it comes in instead.
 */
final class NameLimit {

    /** Characters (up to three bytes each in modified UTF-8): the limit {@code lethe publish} and the planner apply too. */
    static final int MAX_CHARS = CheckpointNames.MAX_CHARS;
    /** A checkpoint id is campaign/model/stage (CheckpointNames): room for two names at the limit and a stage. */
    static final int MAX_CHECKPOINT_ID_CHARS = 2 * MAX_CHARS + 12;

    private NameLimit() {
    }

    /** Null when every value is at most {@link #MAX_CHARS} characters (or null), else which is not: label, value, ... */
    static String problem(String... labelsAndValues) {
        for (int i = 0; i + 1 < labelsAndValues.length; i += 2) {
            String problem = problem(labelsAndValues[i], labelsAndValues[i + 1], MAX_CHARS);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /**
     * Null when the names a refusal carries ({@link RunEvent.Announced}: the run's and the element's) are within the
     * limit, else which is not. The shard assembler and the plan readers check the same six: a shard refused for one
     * of them sends no refusal on, and the announcement that would wait for it is skipped.
     */
    static String refusalNamesProblem(String campaign, String family, String model, String benchmark, String category,
                                      String suiteVersion) {
        return problem("campaign", campaign, "family", family, "model", model, "benchmark", benchmark, "category", category,
                "suiteVersion", suiteVersion);
    }

    /** Null when the checkpoint id is at most {@link #MAX_CHECKPOINT_ID_CHARS} characters, else why not. */
    static String checkpointIdProblem(String checkpointId) {
        return problem("checkpointId", checkpointId, MAX_CHECKPOINT_ID_CHARS);
    }

    private static String problem(String label, String value, int max) {
        return value == null || value.length() <= max ? null
                : label + " has " + value.length() + " characters; more than " + max + " are refused";
    }
}
