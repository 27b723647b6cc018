package dev.lethe.evaluator.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.evaluator.checkpoint.CheckpointFetcher;
import dev.lethe.evaluator.checkpoint.CheckpointRejectedException;
import dev.lethe.evaluator.checkpoint.Dl4jCheckpointLoader;
import dev.lethe.evaluator.suite.ImageItems;
import dev.lethe.ml.checkpoint.Checkpoints;
import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.data.LabeledImages;
import dev.lethe.ml.model.Predictions;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.bits.ItemBits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class Dl4jMultiLayerScorerTest {

    @TempDir
    Path root;

    static MultiLayerNetwork untrained(long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed).list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(10).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    static EvalTask task(String id, Path file, String sha, int start, int end) {
        return EvalTask.newBuilder().setTaskId(id + "/b/0").setCheckpointId(id).setCampaign("c").setFamily("f").setModel("m").setStage(0)
                .setCheckpointUri(file.toUri().toString()).setCheckpointSha256(sha).setFormat(CheckpointFormat.DL4J_MULTILAYER)
                .setSuite("s").setSuiteVersion("v").setBenchmark("b").setCategory("task").setShardIndex(0).setShardCount(1)
                .setItemStart(start).setItemEnd(end).setCheckpointCreatedAt(Instant.EPOCH).build();
    }

    Dl4jMultiLayerScorer scorer(int cacheSize, int batchSize) {
        CheckpointFetcher fetcher = new CheckpointFetcher(List.of(root), List.of(), 10_000_000, Duration.ofSeconds(1), root.resolve("work"));
        return new Dl4jMultiLayerScorer(new Dl4jCheckpointLoader(fetcher, Checkpoints.ALLOWED_ENTRIES, 40_000_000), cacheSize, batchSize);
    }

    @Test
    void shouldMatchUnbatchedPredictionsAndCacheTheModelWhenScoringShardsInBatches() throws Exception {
        MultiLayerNetwork net = untrained(3);
        Path file = root.resolve("m.zip");
        String sha = Checkpoints.write(net, file, false);
        LabeledImages test = Datasets.split(Datasets.load("digits", null)).test().range(0, 150);
        ImageItems items = new ImageItems(8, 8, test.pixels(), test.labels(), 10);
        boolean[] expected = Predictions.correct(net, test, 1000);

        try (Dl4jMultiLayerScorer scorer = scorer(1, 32)) { // 150 items in batches of 32: 5 net.output calls
            ShardScore first = scorer.score(task("c/m/0", file, sha, 0, 150), items);
            ShardScore again = scorer.score(task("c/m/0", file, sha, 0, 150), items);

            assertThat(ItemBits.unpack(first.itemBits(), first.n())).containsExactly(expected);
            assertThat(first.logLikelihoodSum()).isNegative();
            assertThat(again.itemBits()).isEqualTo(first.itemBits());
            assertThat(scorer.cache().misses()).isEqualTo(1);
            assertThat(scorer.cache().hits()).isEqualTo(1);

            // another model evicts the first from a cache of one
            Path other = root.resolve("other.zip");
            String otherSha = Checkpoints.write(untrained(4), other, false);
            scorer.score(task("c/m/1", other, otherSha, 0, 150), items);
            assertThat(scorer.cache().evictions()).isEqualTo(1);
            assertThat(scorer.cache().contains("c/m/0@" + sha)).isFalse();
        }
    }

    @Test
    void shouldNeverDeserializePreprocessorBinWhenItIsAddedToARealCheckpoint() throws Exception {
        Path clean = root.resolve("clean.zip");
        Checkpoints.write(untrained(3), clean, false);
        Path evil = root.resolve("evil.zip");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(clean));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(evil))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("preprocessor.bin"));
            out.write(new byte[] {(byte) 0xac, (byte) 0xed, 0, 5});
            out.closeEntry();
        }
        ImageItems items = new ImageItems(8, 8, new float[][] {new float[64]}, new int[] {1}, 10);

        try (Dl4jMultiLayerScorer scorer = scorer(2, 8)) {
            EvalTask task = task("c/evil/0", evil, Checkpoints.sha256(evil), 0, 1);
            assertThatThrownBy(() -> scorer.score(task, items))
                    .isInstanceOf(CheckpointRejectedException.class).hasMessageContaining("preprocessor.bin");
            // the verdict is remembered: the other shards are refused without reading the file again
            Files.delete(evil);
            assertThatThrownBy(() -> scorer.score(task, items))
                    .isInstanceOf(CheckpointRejectedException.class).hasMessageContaining("preprocessor.bin");
            assertThat(scorer.cache().size()).isZero();
        }
    }
}
