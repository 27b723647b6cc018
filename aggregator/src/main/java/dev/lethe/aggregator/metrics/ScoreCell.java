package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.bits.ItemBits;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One cell R[stage][benchmark] of a model run's matrix: the checkpoint of {@code stage} scored on one
 * benchmark element.
 *
 * @param stage     stage of the checkpoint (0 = before continual fine-tuning)
 * @param task      the task stage {@code stage} fine-tuned on, null for stage 0 or when unknown
 * @param benchmark benchmark element
 * @param category  category of the element
 * @param n         items scored, at least 1
 * @param correct   items right
 * @param itemBits  per-item correctness (bit i, LSB-first within each byte, is item i), or null when unknown
 * @param updatedAt event time of the score; metric records carry the newest time of the cells they depend on
 * @param chancePct the element's chance level on the scale of {@link #accuracyPct()} (the score of a model answering
 *                  at random), null when unknown or not applicable (a bias share measured on closeness to 50 %:
 *                  {@link Polarity#chanceOnScale})
 */
public record ScoreCell(int stage, String task, String benchmark, String category, int n, int correct,
                        byte[] itemBits, Instant updatedAt, Double chancePct) {

    /** A cell whose chance level is unknown. */
    /**
     * The cell the aggregator makes of a benchmark score, with the score's own time: a bias share is measured as its
     * closeness to 50 % ({@link Polarity}), the chance level is the one on that scale. Everything that rebuilds the
     * aggregator's input from the scores topic (tests, tools) uses this, so it measures what the aggregator measures.
     */
    public static ScoreCell of(BenchmarkScore score) {
        return of(score, score.getUpdatedAt());
    }

    /** {@link #of(BenchmarkScore)} with another event time (e.g. the epoch, for comparisons that set time aside). */
    public static ScoreCell of(BenchmarkScore score, Instant updatedAt) {
        ByteBuffer buffer = score.getItemBits().duplicate();
        byte[] bits = new byte[buffer.remaining()];
        buffer.get(bits);
        return new ScoreCell(score.getStage(), score.getTask(), score.getBenchmark(), score.getCategory(), score.getN(),
                Polarity.goodCount(score.getPolarity(), score.getN(), score.getCorrect()), bits, updatedAt,
                Polarity.chanceOnScale(score.getPolarity(), score.getChancePct()));
    }

    public ScoreCell(int stage, String task, String benchmark, String category, int n, int correct, byte[] itemBits,
                     Instant updatedAt) {
        this(stage, task, benchmark, category, n, correct, itemBits, updatedAt, null);
    }

    public ScoreCell {
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (stage < 0) {
            throw new IllegalArgumentException("stage must be >= 0, got " + stage);
        }
        if (n < 1 || correct < 0 || correct > n) {
            throw new IllegalArgumentException("need n >= 1 and 0 <= correct <= n, got correct=" + correct + " n=" + n);
        }
        if (chancePct != null && !(chancePct >= 0 && chancePct <= 100)) {
            throw new IllegalArgumentException("chance level must be in [0, 100] percent, got " + chancePct);
        }
        itemBits = itemBits == null ? null : itemBits.clone();
    }

    /** R = 100 * correct / n. */
    public double accuracyPct() {
        return 100.0 * correct / n;
    }

    /** True when the bitset covers all n items. */
    public boolean hasItemBits() {
        return itemBits != null && itemBits.length >= (n + 7) / 8;
    }

    @Override
    public byte[] itemBits() {
        return itemBits == null ? null : itemBits.clone();
    }

    /** Bit i of the item bitset (LSB-first within each byte). */
    public boolean item(int i) {
        return ItemBits.get(itemBits, i);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoreCell other && stage == other.stage && n == other.n && correct == other.correct
                && Objects.equals(task, other.task) && benchmark.equals(other.benchmark)
                && category.equals(other.category) && Arrays.equals(itemBits, other.itemBits)
                && updatedAt.equals(other.updatedAt) && Objects.equals(chancePct, other.chancePct);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stage, task, benchmark, category, n, correct, Arrays.hashCode(itemBits), updatedAt, chancePct);
    }

    @Override
    public String toString() {
        return "ScoreCell[stage=" + stage + ", benchmark=" + benchmark + ", category=" + category + ", n=" + n
                + ", correct=" + correct + ", task=" + task + ", chancePct=" + chancePct + "]";
    }
}
