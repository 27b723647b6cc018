package dev.lethe.evaluator.scoring;

import dev.lethe.evaluator.checkpoint.CheckpointException;
import dev.lethe.evaluator.checkpoint.Dl4jCheckpointLoader;
import dev.lethe.evaluator.checkpoint.LruCache;
import dev.lethe.evaluator.suite.ImageItems;
import dev.lethe.evaluator.suite.ItemSet;
import dev.lethe.schemas.EvalTask;
import java.util.Arrays;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scores image classification items with a DL4J {@link MultiLayerNetwork} checkpoint: batched
 * {@code net.output} on flattened pixels, an item is correct when the arg-max class is its label, and the
 * gold log-probability is summed. Models are kept in an LRU cache keyed by checkpointId and sha256.
 */
public final class Dl4jMultiLayerScorer implements Scorer {

    private final Dl4jCheckpointLoader loader;
    private final LruCache<String, MultiLayerNetwork> cache;
    private final int batchSize;

    public Dl4jMultiLayerScorer(Dl4jCheckpointLoader loader, int cacheSize, int batchSize) {
        this.loader = loader;
        this.cache = new LruCache<>(cacheSize, Dl4jMultiLayerScorer::release);
        this.batchSize = batchSize;
    }

    @Override
    public String name() {
        return "dl4j-multilayer";
    }

    /** The cache key: the same id republished with other bytes is another model. */
    static String cacheKey(EvalTask task) {
        return task.getCheckpointId() + "@" + task.getCheckpointSha256().toLowerCase(Locale.ROOT);
    }

    @Override
    public ShardScore score(EvalTask task, ItemSet items) throws CheckpointException {
        if (!(items instanceof ImageItems images)) {
            throw new ScoringException("a DL4J multilayer checkpoint scores image items, not " + items.getClass().getSimpleName());
        }
        // the loader remembers a checkpoint that failed to load, so its other shards are refused without reading it
        MultiLayerNetwork net = cache.get(cacheKey(task), k -> loader.load(task.getCheckpointUri(), task.getCheckpointSha256()));
        int n = images.size();
        boolean[] correct = new boolean[n];
        double logLikelihood = 0;
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            INDArray output;
            try {
                INDArray batch = Nd4j.create(Arrays.copyOfRange(images.pixels(), from, to));
                output = net.output(batch, false);
            } catch (RuntimeException e) {
                throw new ScoringException("model " + task.getCheckpointId() + " cannot score " + images.width() + "x"
                        + images.height() + " images: " + e.getMessage(), e);
            }
            if (output.rank() != 2 || output.rows() != to - from || output.columns() < images.numClasses()) {
                throw new ScoringException("model output has shape " + Arrays.toString(output.shape()) + ", expected ["
                        + (to - from) + ", " + images.numClasses() + "]");
            }
            INDArray predicted = Nd4j.argMax(output, 1);
            for (int i = from; i < to; i++) {
                int label = images.labels()[i];
                double p = output.getDouble(i - from, label);
                if (Double.isNaN(p)) {
                    throw new ScoringException("model " + task.getCheckpointId() + " produced NaN outputs");
                }
                correct[i] = predicted.getInt(i - from) == label;
                logLikelihood += Math.log(Math.max(p, Double.MIN_NORMAL));
            }
        }
        return ShardScore.of(correct, logLikelihood);
    }

    public LruCache<String, MultiLayerNetwork> cache() {
        return cache;
    }

    @Override
    public void close() {
        cache.clear();
    }

    private static void release(MultiLayerNetwork net) {
        try {
            net.close();
        } catch (RuntimeException e) {
            // freeing native memory early is an optimisation; the GC frees it otherwise
        }
    }
}
