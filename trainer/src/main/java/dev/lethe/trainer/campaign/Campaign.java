package dev.lethe.trainer.campaign;

import dev.lethe.ml.tasks.ContinualProtocol;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A continual fine-tuning campaign: one protocol (dataset, permuted|split, stages, seed), one training recipe
 * (epochs, batch size, learning rate) and the model runs trained through it.
 *
 * @param name         campaign name; first segment of every checkpoint id ({@code campaign/model/stage})
 * @param protocol     the dataset and the continual tasks
 * @param epochs       passes over each stage's data
 * @param batchSize    mini-batch size
 * @param learningRate Adam learning rate
 * @param models       the model runs, trained one after another in this order
 * @param fineTuneEpochs       passes over the data of every continual stage k >= 1 ({@code epochs} governs stage 0)
 * @param fineTuneLearningRate Adam learning rate of the continual stages k >= 1 ({@code learningRate}: stage 0)
 */
public record Campaign(String name, ContinualProtocol protocol, int epochs, int batchSize, double learningRate,
        List<ModelRun> models, int fineTuneEpochs, double fineTuneLearningRate) {

    /** A campaign whose continual stages train like stage 0 (same epochs, same learning rate). */
    public Campaign(String name, ContinualProtocol protocol, int epochs, int batchSize, double learningRate,
            List<ModelRun> models) {
        this(name, protocol, epochs, batchSize, learningRate, models, epochs, learningRate);
    }

    public Campaign {
        ModelRun.requireName("name", name);
        Objects.requireNonNull(protocol, "protocol");
        if (epochs < 1 || epochs > 1000) {
            throw new IllegalArgumentException("epochs must be in 1..1000, got " + epochs);
        }
        if (fineTuneEpochs < 1 || fineTuneEpochs > 1000) {
            throw new IllegalArgumentException("fineTuneEpochs must be in 1..1000, got " + fineTuneEpochs);
        }
        if (!(fineTuneLearningRate > 0 && fineTuneLearningRate < 10)) {
            throw new IllegalArgumentException("fineTuneLearningRate must be in (0,10), got " + fineTuneLearningRate);
        }
        if (batchSize < 1 || batchSize > 65_536) {
            throw new IllegalArgumentException("batchSize must be in 1..65536, got " + batchSize);
        }
        if (!(learningRate > 0 && learningRate < 10)) {
            throw new IllegalArgumentException("learningRate must be in (0,10), got " + learningRate);
        }
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("models must list at least one model run");
        }
        Set<String> names = new HashSet<>();
        for (ModelRun m : models) {
            if (!names.add(m.name())) {
                throw new IllegalArgumentException("models: duplicate model name '" + m.name() + "'");
            }
        }
    }

    /** Passes over the data of {@code stage}: {@link #epochs} for stage 0, {@link #fineTuneEpochs} after it. */
    public int epochsOf(int stage) {
        return stage == 0 ? epochs : fineTuneEpochs;
    }

    /** The Adam learning rate of {@code stage}: {@link #learningRate} for stage 0, {@link #fineTuneLearningRate} after. */
    public double learningRateOf(int stage) {
        return stage == 0 ? learningRate : fineTuneLearningRate;
    }

    /** True when the continual stages train with other epochs or another learning rate than stage 0. */
    public boolean gentlerFineTuning() {
        return fineTuneEpochs != epochs || fineTuneLearningRate != learningRate;
    }

    /** The number of continual stages N (stage 0 not counted). */
    public int stages() {
        return protocol.stages();
    }

    /** The campaign seed (also the protocol's). */
    public long seed() {
        return protocol.seed();
    }

    /** The benchmark suite the checkpoints are scored on ({@code digits-cl} or {@code mnist-cl}). */
    public String suite() {
        return protocol.suite();
    }

    /**
     * The same campaign with another seed (data order, initialisation, the stages' permutations or class groups),
     * named {@code <name>-seed<seed>} so its checkpoint ids never meet the original's: the way to repeat a campaign
     * and see how much of a difference between models is seed noise.
     */
    public Campaign withSeed(long newSeed) {
        ContinualProtocol reseeded = new ContinualProtocol(protocol.dataset(), protocol.kind(), newSeed, protocol.stages());
        return new Campaign(name + "-seed" + newSeed, reseeded, epochs, batchSize, learningRate, models, fineTuneEpochs,
                fineTuneLearningRate);
    }

    /** The same campaign under another name (tests and demos isolating their checkpoint ids). */
    public Campaign withName(String newName) {
        return new Campaign(newName, protocol, epochs, batchSize, learningRate, models, fineTuneEpochs, fineTuneLearningRate);
    }
}
