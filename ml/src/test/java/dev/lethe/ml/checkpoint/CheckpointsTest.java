package dev.lethe.ml.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class CheckpointsTest {

    @TempDir
    Path dir;

    private static MultiLayerNetwork tinyNet() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void shouldWriteIdenticalBytesAndReturnTheirHashWhenTheSameModelIsSavedTwice() throws Exception {
        Path a = dir.resolve("a.zip");
        Path b = dir.resolve("sub/b.zip");

        String shaA = Checkpoints.write(tinyNet(), a, true);
        Thread.onSpinWait();
        String shaB = Checkpoints.write(tinyNet(), b, true);

        assertThat(shaA).isEqualTo(Checkpoints.sha256(a)).hasSize(64).matches("[0-9a-f]+");
        assertThat(shaB).isEqualTo(shaA);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.zip", "sub");
        }
        MultiLayerNetwork back = Checkpoints.read(a, false);
        assertThat(back.params()).isEqualTo(tinyNet().params());
    }

    @Test
    void shouldVerifyTheSidecarOnlyWhenItMatches() throws Exception {
        Path a = dir.resolve("a.zip");
        String sha = Checkpoints.write(tinyNet(), a, false);

        assertThat(Checkpoints.verifiedBySidecar(a)).isFalse();
        Checkpoints.writeSidecar(a, sha);
        assertThat(Checkpoints.verifiedBySidecar(a)).isTrue();
        Files.write(a, new byte[] {1, 2, 3});
        assertThat(Checkpoints.verifiedBySidecar(a)).isFalse();
    }

    @Test
    void shouldRefuseTheZipWhenItHoldsAnEntryOutsideTheAllowList() throws Exception {
        Path bad = dir.resolve("bad.zip");
        try (OutputStream out = Files.newOutputStream(bad); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("configuration.json"));
            z.write("{}".getBytes());
            z.putNextEntry(new ZipEntry("preprocessor.bin"));
            z.write(new byte[] {(byte) 0xac, (byte) 0xed});
        }
        Path notZip = dir.resolve("junk.zip");
        Files.write(notZip, new byte[] {1, 2, 3, 4});

        assertThatThrownBy(() -> Checkpoints.read(bad, false)).isInstanceOf(UnsafeCheckpointException.class)
                .hasMessageContaining("preprocessor.bin");
        assertThatThrownBy(() -> Checkpoints.checkEntries(notZip)).isInstanceOf(UnsafeCheckpointException.class)
                .hasMessageContaining("not a readable zip");
        assertThat(Checkpoints.ALLOWED_ENTRIES).containsExactlyInAnyOrder("configuration.json", "coefficients.bin",
                "updaterState.bin", "noParams.marker");
    }

    @Test
    void shouldLeaveNoTempFileWhenTheWriteSucceeds() throws IOException {
        Checkpoints.writeAtomically(dir.resolve("x.bin"), new byte[] {9});
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(1);
        }
    }
}
