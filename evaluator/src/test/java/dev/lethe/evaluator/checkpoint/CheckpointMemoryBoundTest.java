package dev.lethe.evaluator.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.ml.checkpoint.Checkpoints;
import dev.lethe.schemas.DeadLetterReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Hostile checkpoints that are valid DL4J zips with a valid sha256 but would make DL4J allocate far more than the
 * file holds (issue 14, cases 1 and 2): each is refused before allocation, and remembered by its sha256.
 */
class CheckpointMemoryBoundTest {

    /** The worker's budget with its default -Xmx512m and the default 256 MiB file limit: 128 MiB. */
    private static final CheckpointBudget WORKER_BUDGET = CheckpointBudget.of(256L << 20, 512L << 20);
    /** Far less than any of the refused checkpoints would take: they must not be allocated at all. */
    private static final long ALLOCATION_SLACK = 64L << 20;

    @TempDir
    Path root;
    Dl4jCheckpointLoader loader;

    @BeforeEach
    void setUp() {
        CheckpointFetcher fetcher = new CheckpointFetcher(List.of(root), List.of(), 256L << 20, Duration.ofSeconds(5), root.resolve("work"));
        loader = new Dl4jCheckpointLoader(fetcher, Checkpoints.ALLOWED_ENTRIES, WORKER_BUDGET);
    }

    static MultiLayerNetwork tiny() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(10).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    /** The entries of a real checkpoint of {@link #tiny()}, in order. */
    Map<String, byte[]> realEntries(boolean withUpdater) throws IOException {
        Path file = root.resolve("real-" + withUpdater + ".zip");
        Checkpoints.write(tiny(), file, withUpdater);
        Map<String, byte[]> entries = HostileCheckpoints.entries(file);
        Files.delete(file);
        return entries;
    }

    Path write(String name, Map<String, byte[]> entries) throws IOException {
        return HostileCheckpoints.write(root.resolve(name), entries, 0);
    }

    /** Loads {@code file} and returns the refusal, asserting that JavaCPP's native memory barely moved meanwhile. */
    CheckpointException refusalWithinBudget(Path file) throws Exception {
        long before = Pointer.totalBytes();
        CheckpointException refusal = null;
        try {
            loader.load(file.toUri().toString(), Checkpoints.sha256(file));
        } catch (CheckpointException e) {
            refusal = e;
        }
        assertThat(Pointer.totalBytes() - before).as("native bytes allocated while refusing").isLessThan(ALLOCATION_SLACK);
        assertThat(refusal).as("refusal of " + file.getFileName()).isNotNull();
        return refusal;
    }

    @Test
    void shouldRejectBeforeAllocatingWhenCoefficientsHeaderClaimsBillionsOfFloats() throws Exception {
        for (long declared : new long[] {4_000_000_000L, 16_000_000_000L}) {
            Path real = write("real.zip", realEntries(false));
            Path crafted = HostileCheckpoints.craftedHeader(real, root.resolve("crafted-" + declared + ".zip"), declared);
            assertThat(Files.size(crafted)).isLessThan(20_000); // the 10 KB checkpoint

            CheckpointException refusal = refusalWithinBudget(crafted);

            assertThat(refusal.reason()).isEqualTo(DeadLetterReason.CHECKPOINT_REJECTED);
            assertThat(refusal).hasMessageContaining("declares " + declared + " parameters, its configuration has 1210");
        }
    }

    @Test
    void shouldRejectBeforeAllocatingWhenConfigurationAndHeaderAgreeOnMoreThanTheBudget() throws Exception {
        // a configuration of 10^10 parameters (never initialised here) and a header that matches it
        String huge = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(100_000).nOut(100_000).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(100_000).nOut(10).activation(Activation.SOFTMAX).build())
                .build().toJson();
        long parameters = 100_000L * 100_000 + 100_000 + 100_000L * 10 + 10;
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("configuration.json", huge.getBytes(StandardCharsets.UTF_8));
        entries.put("coefficients.bin", HostileCheckpoints.coefficients(parameters, new byte[4096]));
        Path crafted = write("huge.zip", entries);

        CheckpointException refusal = refusalWithinBudget(crafted);

        assertThat(refusal).isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("over this worker's budget of " + WORKER_BUDGET.maxInflatedBytes());
    }

    @Test
    void shouldRejectWhenHeaderMatchesTheConfigurationButTheDataIsNotThere() throws Exception {
        Map<String, byte[]> entries = realEntries(false);
        entries.put("coefficients.bin", HostileCheckpoints.coefficients(1210, new byte[100]));
        Path crafted = write("short.zip", entries);

        assertThat(refusalWithinBudget(crafted)).isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("declares 4840 bytes of FLOAT data but holds 100");
    }

    @Test
    void shouldRejectWhenHeaderDeclaresAnImpossibleRankOrType() throws Exception {
        Map<String, byte[]> entries = realEntries(false);
        byte[] real = entries.get("coefficients.bin");
        byte[] utf8 = real.clone();
        // the data type "FLOAT" of the data buffer becomes "UTF8_" (same length): not a parameter type
        int at = new String(utf8, StandardCharsets.ISO_8859_1).indexOf("FLOAT");
        System.arraycopy("UTF8_".getBytes(StandardCharsets.US_ASCII), 0, utf8, at, 5);
        entries.put("coefficients.bin", utf8);
        Path badType = write("type.zip", entries);
        byte[] rank = real.clone();
        rank[39] = 40; // the rank (the first shape long, big-endian, ends at byte 39) becomes 40
        entries.put("coefficients.bin", rank);
        Path badRank = write("rank.zip", entries);

        assertThat(refusalWithinBudget(badType)).hasMessageContaining("data of type UTF8_");
        assertThat(refusalWithinBudget(badRank)).hasMessageContaining("rank 40");
    }

    @Test
    void shouldRefuseANearLimitBombOnceAndRememberItBySha256() throws Exception {
        // zeros just over the worker's inflate budget, far under the old limit of 4 x --max-checkpoint-bytes (1 GiB)
        Path bomb = HostileCheckpoints.bomb(write("real.zip", realEntries(false)), root.resolve("bomb.zip"),
                WORKER_BUDGET.maxInflatedBytes() + (1 << 20));
        assertThat(Files.size(bomb)).isLessThan(1L << 20);
        String sha = Checkpoints.sha256(bomb);

        assertThat(refusalWithinBudget(bomb)).isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("inflates beyond " + WORKER_BUDGET.maxInflatedBytes());
        // the other shards of the event: refused at once, without the file (it is not even read again)
        Files.delete(bomb);
        assertThatThrownBy(() -> loader.load(bomb.toUri().toString(), sha))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("inflates beyond")
                .hasMessageContaining("remembered");
        assertThat(loader.failures().size()).isEqualTo(1);
    }

    @Test
    void shouldRememberAnUnloadableCheckpointBySha256WhatEverUriNamesIt() throws Exception {
        Map<String, byte[]> entries = realEntries(false);
        entries.put("configuration.json", "{\"not\": \"a model\"}".getBytes(StandardCharsets.UTF_8));
        Path broken = write("broken.zip", entries);
        String sha = Checkpoints.sha256(broken);
        Path sameBytes = Files.copy(broken, root.resolve("same-bytes.zip"));

        assertThatThrownBy(() -> loader.load(broken.toUri().toString(), sha)).isInstanceOf(CheckpointException.class);
        Files.delete(sameBytes);
        assertThatThrownBy(() -> loader.load(sameBytes.toUri().toString(), sha))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("remembered");
    }

    @Test
    void shouldLoadARealCheckpointWithItsUpdaterStateWithinTheBudget() throws Exception {
        Path file = write("with-updater.zip", realEntries(true));

        MultiLayerNetwork net = loader.load(file.toUri().toString(), Checkpoints.sha256(file));

        assertThat(net.numParams()).isEqualTo(1210);
        assertThat(loader.failures().size()).isZero();
        assertThat(root.resolve("work")).isEmptyDirectory(); // the private and scoring copies are gone
        net.close();
    }

    @Test
    void shouldKeepTheInflateLimitUnderAQuarterOfTheHeapWhenTheFileLimitAllowsMore() {
        assertThat(CheckpointBudget.of(256L << 20, 512L << 20).maxInflatedBytes()).isEqualTo(128L << 20);
        assertThat(CheckpointBudget.of(1L << 20, 512L << 20).maxInflatedBytes()).isEqualTo(4L << 20);
        assertThat(CheckpointBudget.of(Long.MAX_VALUE, Long.MAX_VALUE).maxInflatedBytes()).isEqualTo(Long.MAX_VALUE / 4);
    }
}
