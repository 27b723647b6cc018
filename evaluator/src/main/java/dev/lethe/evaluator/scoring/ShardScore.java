package dev.lethe.evaluator.scoring;

import dev.lethe.schemas.bits.ItemBits;

/**
 * What a {@link Scorer} returns for one shard: item count, correct count, the packed per-item bitset
 * ({@link ItemBits}) and the summed gold log-likelihood when the scorer has one (else null).
 */
public record ShardScore(int n, int correct, byte[] itemBits, Double logLikelihoodSum) {

    /** Builds a score from per-item correctness, packing the bitset. */
    public static ShardScore of(boolean[] correct, Double logLikelihoodSum) {
        int count = 0;
        for (boolean c : correct) {
            if (c) {
                count++;
            }
        }
        return new ShardScore(correct.length, count, ItemBits.pack(correct), logLikelihoodSum);
    }
}
