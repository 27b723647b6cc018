package dev.lethe.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.ml.checkpoint.Checkpoints;
import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.data.LabeledImages;
import dev.lethe.ml.model.Predictions;
import dev.lethe.ml.tasks.ContinualProtocol;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.trainer.campaign.Campaign;
import dev.lethe.trainer.campaign.ModelRun;
import dev.lethe.trainer.model.ModelFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trains a small permuted campaign and a small split campaign once, then checks what continual fine-tuning must
 * show, measured independently from the checkpoints on disk: every stage learns its own task, the clean-data
 * accuracy falls over the permuted stages, and every event describes the file it points at.
 */
class ContinualTrainingTest {

    @TempDir
    static Path dir;

    static Campaign permuted;
    static Campaign split;
    static final RecordingSink SINK = new RecordingSink();
    static CampaignResult permutedResult;
    static CampaignResult splitResult;
    static Datasets.Split data;

    @BeforeAll
    static void train() throws Exception {
        permuted = TestCampaigns.permuted("perm-test");
        split = TestCampaigns.parse("""
                name: split-test
                dataset: digits
                protocol: split
                stages: 5
                epochs: 3
                batchSize: 32
                learningRate: 0.003
                seed: 3
                models:
                  - {name: mlp-64, family: mlp, architecture: mlp, size: [64]}
                """);
        permutedResult = CampaignRunner.run(permuted, dir, null, SINK, ProgressListener.NONE);
        splitResult = CampaignRunner.run(split, dir, null, SINK, ProgressListener.NONE);
        data = Datasets.split(Datasets.load("digits", null));
    }

    private static MultiLayerNetwork load(Campaign c, String model, int stage) throws Exception {
        return Checkpoints.read(CampaignRunner.checkpointPath(dir, c.name(), model, stage), false);
    }

    private static void assertEveryStageLearnsItsOwnTask(Campaign c) throws Exception {
        ContinualProtocol protocol = c.protocol();
        for (ModelRun run : c.models()) {
            for (int s = 0; s <= protocol.stages(); s++) {
                LabeledImages ownTest = protocol.task(s).apply(data.test());
                MultiLayerNetwork before = s == 0
                        ? ModelFactory.build(run, 8, 8, 10, ModelFactory.modelSeed(c.seed(), run.name()),
                                c.learningRate())
                        : load(c, run.name(), s - 1);
                double accBefore = Predictions.accuracy(before, ownTest);
                double accAfter = Predictions.accuracy(load(c, run.name(), s), ownTest);
                System.err.printf("%s %s stage %d own task: %.3f -> %.3f%n", c.name(), run.name(), s, accBefore,
                        accAfter);
                assertThat(accAfter).as("%s stage %d accuracy on its own task after training", run.name(), s)
                        .isGreaterThan(0.70);
                // a real gain: 25 points, or half the remaining error when the task was already largely known
                // (a split stage's classes were all learnt in stage 0)
                double required = Math.min(0.25, (1 - accBefore) / 2);
                assertThat(accAfter - accBefore).as("%s stage %d gain on its own task (%.3f -> %.3f)", run.name(), s,
                        accBefore, accAfter).isGreaterThan(required);
            }
        }
    }

    @Test
    void shouldImproveTheAccuracyOnItsOwnTaskWhenTrainingEachPermutedStage() throws Exception {
        assertEveryStageLearnsItsOwnTask(permuted);
    }

    @Test
    void shouldImproveTheAccuracyOnItsOwnClassesWhenTrainingEachSplitStage() throws Exception {
        assertEveryStageLearnsItsOwnTask(split);
    }

    @Test
    void shouldForgetTheCleanTaskWhenFineTunedOverThePermutedStages() throws Exception {
        for (ModelRun run : permuted.models()) {
            List<Double> clean = new ArrayList<>();
            for (int s = 0; s <= permuted.stages(); s++) {
                clean.add(Predictions.accuracy(load(permuted, run.name(), s), data.test()));
            }
            System.err.printf("%s %s clean accuracy per stage: %s%n", permuted.name(), run.name(), clean);
            assertThat(clean.get(0)).as("%s clean accuracy after stage 0", run.name()).isGreaterThan(0.85);
            assertThat(clean.get(permuted.stages())).as("%s clean accuracy per stage %s", run.name(), clean)
                    .isLessThan(clean.get(0) - 0.15);
        }
    }

    @Test
    void shouldDescribeTheCheckpointOnDiskWhenPublishingEachEvent() throws Exception {
        int expected = permuted.models().size() * (permuted.stages() + 1) + split.stages() + 1;
        assertThat(SINK.events).hasSize(expected);
        assertThat(SINK.events.stream().map(CheckpointReady::getCheckpointId).distinct()).hasSize(expected);
        for (CheckpointReady e : SINK.events) {
            Campaign c = e.getCampaign().equals(permuted.name()) ? permuted : split;
            Path file = Path.of(URI.create(e.getCheckpointUri()));
            assertThat(file).isEqualTo(CampaignRunner.checkpointPath(dir, c.name(), e.getModel(), e.getStage()));
            assertThat(Files.isRegularFile(file)).isTrue();
            assertThat(e.getCheckpointSha256()).isEqualTo(Checkpoints.sha256(file));
            assertThat(e.getCheckpointId()).isEqualTo(c.name() + "/" + e.getModel() + "/" + e.getStage());
            assertThat(e.getTask()).isEqualTo(c.protocol().task(e.getStage()).name());
            assertThat(e.getFormat()).isEqualTo(CheckpointFormat.DL4J_MULTILAYER);
            assertThat(e.getSuite()).isEqualTo("digits-cl");
            assertThat(ContinualProtocol.from(e.getAttributes())).isEqualTo(c.protocol());
            MultiLayerNetwork net = Checkpoints.read(file, false);
            assertThat(e.getParameterCount()).isEqualTo(net.numParams());
            assertThat(e.getTrainingStep()).isEqualTo(net.getIterationCount()).isPositive();
            ModelRun run = c.models().stream().filter(m -> m.name().equals(e.getModel())).findFirst().orElseThrow();
            assertThat(e.getFamily()).isEqualTo(run.family());
            assertThat(e.getAttributes()).containsEntry("architecture", run.architecture().label());
        }
        // the task names the evaluator rebuilds
        assertThat(SINK.events.stream().filter(e -> e.getCampaign().equals("split-test")).map(CheckpointReady::getTask))
                .containsExactly(null, "split-1", "split-2", "split-3", "split-4", "split-5");
        assertThat(permutedResult.publishedCount() + splitResult.publishedCount()).isEqualTo(expected);
    }
}
