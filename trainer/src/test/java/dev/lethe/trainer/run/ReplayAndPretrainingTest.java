package dev.lethe.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.ml.data.LabeledImages;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.trainer.campaign.Campaign;
import dev.lethe.trainer.data.ReplayData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The knobs of the FINDINGS v2 campaigns, trained for real on tiny models: replay that replaces (equal optimizer
 * steps) or adds (more steps), replay from MNIST resampled to 8x8, a multi-task stage 0, and gentler fine-tuning.
 */
class ReplayAndPretrainingTest {

    @TempDir
    static Path dir;

    static CampaignResult result;
    static Map<String, CheckpointReady> events;

    @BeforeAll
    static void train() throws Exception {
        Campaign c = TestCampaigns.parse("""
                name: knobs
                dataset: digits
                protocol: permuted
                stages: 2
                epochs: 2
                fineTuneEpochs: 1
                fineTuneLearningRate: 0.001
                batchSize: 64
                seed: 3
                models:
                  - {name: base, family: mlp, size: [8]}
                  - {name: own-replace, family: r, size: [8], replay: 0.25, replayMode: replace}
                  - {name: mnist-replace, family: r, size: [8], replay: 0.25, replayFrom: mnist, replayMode: replace}
                  - {name: own-add, family: r, size: [8], replay: 0.25}
                  - {name: multitask, family: m, size: [8], pretrainTasks: 2}
                """);
        RecordingSink sink = new RecordingSink();
        result = CampaignRunner.run(c, dir, dataDir(), sink, null);
        events = sink.events.stream().collect(Collectors.toMap(CheckpointReady::getCheckpointId, e -> e));
    }

    /** -Dlethe.data.dir, else the nearest ancestor's shared/data that holds mnist-t10k/. */
    static Path dataDir() {
        String configured = System.getProperty("lethe.data.dir");
        return configured != null ? Path.of(configured)
                : Stream.iterate(Path.of("").toAbsolutePath(), Objects::nonNull, Path::getParent)
                        .map(d -> d.resolve("shared").resolve("data"))
                        .filter(d -> Files.isDirectory(d.resolve("mnist-t10k")))
                        .findFirst().orElseThrow(() -> new IllegalStateException(
                                "no shared/data/mnist-t10k above the working directory; set -Dlethe.data.dir"));
    }

    private static long steps(String model, int stage) {
        long before = stage == 0 ? 0 : step(model, stage - 1);
        return step(model, stage) - before;
    }

    private static long step(String model, int stage) {
        return result.stages().stream().filter(r -> r.model().equals(model) && r.stage() == stage).findFirst()
                .orElseThrow().trainingStep();
    }

    @Test
    void shouldTakeTheStepsOfARunWithoutReplayWhenReplayReplacesTheStagesImages() {
        // 1,437 training images, batch 64: 23 batches per epoch; stage 0 has 2 epochs, the continual stages 1
        assertThat(steps("base", 0)).isEqualTo(46);
        for (int stage = 1; stage <= 2; stage++) {
            assertThat(steps("base", stage)).isEqualTo(23);
            assertThat(steps("own-replace", stage)).isEqualTo(steps("base", stage));
            assertThat(steps("mnist-replace", stage)).isEqualTo(steps("base", stage));
            // appended replay: 1,437 + 359 images, 29 batches
            assertThat(steps("own-add", stage)).isEqualTo(29);
        }
    }

    @Test
    void shouldTrainTheExtraTasksInStageZeroOnlyWhenPretrainingIsMultiTask() {
        // 3 x 1,437 images in stage 0: 68 batches per epoch; the continual stages are the single-task run's
        assertThat(steps("multitask", 0)).isEqualTo(136);
        assertThat(steps("multitask", 1)).isEqualTo(steps("base", 1));
        assertThat(events.get("knobs/multitask/0").getAttributes()).containsEntry("pretrainTasks", "2");
        assertThat(events.get("knobs/base/0").getAttributes()).doesNotContainKey("pretrainTasks");
    }

    @Test
    void shouldNameTheReplaySourceAndTheFineTuningRecipeWhenPublishing() {
        assertThat(events.get("knobs/mnist-replace/1").getAttributes())
                .containsEntry("replayFrom", "mnist").containsEntry("replayMode", "replace")
                .containsEntry("fineTuneEpochs", "1").containsEntry("fineTuneLearningRate", "0.001");
        assertThat(events.get("knobs/own-add/1").getAttributes()).doesNotContainKey("replayFrom");
    }

    @Test
    void shouldKeepEveryPixelInRangeAndAverageTheCentredBlocksWhenResamplingToEightByEight() {
        float[] p = new float[28 * 28];
        // one bright 3x3 block at the top-left of the centred 24x24 crop (rows and columns 2..4), half grey at 5..7
        for (int y = 2; y < 5; y++) {
            for (int x = 2; x < 5; x++) {
                p[y * 28 + x] = 1f;
                p[(y + 3) * 28 + x + 3] = 0.5f;
            }
        }
        p[0] = 1f; // in the discarded margin
        LabeledImages img = new LabeledImages(28, 28, new float[][] {p}, new int[] {7}, 10);

        LabeledImages small = ReplayData.resample(img, 8, 8);

        assertThat(small.width()).isEqualTo(8);
        assertThat(small.labels()).containsExactly(7);
        assertThat(small.pixels()[0][0]).isEqualTo(1f);
        assertThat(small.pixels()[0][9]).isEqualTo(0.5f);
        float sum = 0;
        for (float v : small.pixels()[0]) {
            sum += v;
        }
        assertThat(sum).isEqualTo(1.5f);
        LabeledImages mnist = ReplayData.mnistAs(dataDir(), 8, 8);
        assertThat(mnist.size()).isEqualTo(10_000);
        float min = 1;
        float max = 0;
        for (float[] image : mnist.pixels()) {
            for (float v : image) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        assertThat(min).isGreaterThanOrEqualTo(0f);
        assertThat(max).isLessThanOrEqualTo(1f).isGreaterThan(0.5f);
    }
}
