package dev.lethe.aggregator.topology;

import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;

/** What the aggregator's processors forward; split by type into the output topics (never serialized itself). */
sealed interface AggregatorOutput {

    record Score(BenchmarkScore score) implements AggregatorOutput {
    }

    record Dead(DeadLetter deadLetter) implements AggregatorOutput {
    }

    /** A run-level record for lethe.forgetting. */
    record Metric(ForgettingMetric metric) implements AggregatorOutput {
    }

    /** A run's CATEGORY record on its way to the family aggregation. */
    record FamilyInput(ForgettingMetric metric) implements AggregatorOutput {
    }

    record Alert(KnowledgeLossAlert alert) implements AggregatorOutput {
    }

    /**
     * A shard result written under a key other than its model run's ({@code campaign/model}): re-keyed through an
     * internal topic so it is assembled in the task that holds its run (the original bytes, unread).
     */
    record Rekey(byte[] value) implements AggregatorOutput {
    }

    /** A shard that cannot count: its element's score is no longer awaited (see {@link RunEvent.Announced}). */
    record Refusal(RunEvent.Announced event) implements AggregatorOutput {
    }
}
