package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.MetricPolarity;

/**
 * Forgetting is measured on a quantity where higher is better. For accuracy-like metrics that is the share of items
 * right; for a bias share (CrowS-Pairs' stereotype score, 50 % unbiased) it is the closeness to 50 %,
 * 100 - 2 |share - 50|, which in counts is n - |2 correct - n| "good" items of n: a stereotype score falling from 65 %
 * to 55 % is a rise from 70 to 90, an improvement, never forgetting. Integer counts keep the thresholds exact.
 */
public final class Polarity {

    private Polarity() {
    }

    /** The count the metrics treat as "correct": {@code correct} itself, or n - |2 correct - n| for a bias share. */
    public static int goodCount(MetricPolarity polarity, int n, int correct) {
        return polarity == MetricPolarity.CLOSER_TO_50_IS_BETTER ? n - Math.abs(2 * correct - n) : correct;
    }

    /**
     * The chance level on the measured scale. For accuracy-like metrics it is the chance level itself. For a bias share
     * it does not apply: a model preferring at random has share 50 %, the best value (closeness 100), so there is no
     * margin above chance to lose and the chance-aware metrics are null for it.
     */
    public static Double chanceOnScale(MetricPolarity polarity, Double chancePct) {
        return polarity == MetricPolarity.CLOSER_TO_50_IS_BETTER ? null : chancePct;
    }
}
