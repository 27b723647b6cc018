package dev.lethe.trainer.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.ml.tasks.ContinualProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CampaignFileTest {

    @TempDir
    Path dir;

    @Test
    void shouldAskTheThreeQuestionsWhenLoadingTheDefaultCampaign() throws Exception {
        Campaign c = CampaignFile.resolve("default");

        assertThat(c.name()).isEqualTo("default");
        assertThat(c.suite()).isEqualTo("digits-cl");
        List<ModelRun> mlps = c.models().stream().filter(m -> m.family().equals("mlp")).toList();
        // scale: three widths of one MLP family
        assertThat(mlps).hasSize(3);
        assertThat(mlps.stream().map(ModelRun::size).distinct()).hasSize(3);
        // architecture: a CNN family
        assertThat(c.models()).anySatisfy(m -> assertThat(m.architecture()).isEqualTo(Architecture.CNN));
        // mixing: an MLP with replay whose non-replay twin exists
        ModelRun replay = c.models().stream().filter(m -> m.replay() > 0).findFirst().orElseThrow();
        assertThat(mlps).anySatisfy(m -> assertThat(m.size()).isEqualTo(replay.size()));
    }

    @Test
    void shouldHaveThreeRunsOfTwoFamiliesOverThreeStagesWhenLoadingTheQuickCampaign() throws Exception {
        Campaign c = CampaignFile.resolve("quick");

        assertThat(c.models()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(c.models().stream().map(ModelRun::family).distinct().count()).isGreaterThanOrEqualTo(2);
        assertThat(c.stages()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void shouldMeetEachQuestionsPreconditionByConstructionWhenLoadingTheFindingsCampaigns() throws Exception {
        Campaign scale = CampaignFile.resolve("findings-scale");
        // one family, widths growing, gentler fine-tuning than stage 0
        assertThat(scale.models().stream().map(ModelRun::family).distinct()).containsExactly("mlp");
        assertThat(scale.models().stream().map(m -> m.size().get(0)).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(scale.fineTuneEpochs()).isLessThan(scale.epochs());

        Campaign arch = CampaignFile.resolve("findings-arch");
        // class-incremental: no input transform that favours either architecture
        assertThat(arch.protocol().kind()).isEqualTo(ContinualProtocol.Kind.SPLIT);
        assertThat(arch.models().stream().map(ModelRun::architecture)).containsExactlyInAnyOrder(Architecture.MLP,
                Architecture.CNN);

        Campaign replay = CampaignFile.resolve("findings-replay");
        // replay from another dataset, with the steps of a run without replay; and a multi-task stage 0
        assertThat(replay.models()).anySatisfy(m -> {
            assertThat(m.replayFrom()).isEqualTo(ModelRun.ReplaySource.MNIST);
            assertThat(m.replayMode()).isEqualTo(ModelRun.ReplayMode.REPLACE);
        });
        assertThat(replay.models()).allSatisfy(m -> assertThat(m.replay() == 0
                || m.replayMode() == ModelRun.ReplayMode.REPLACE).isTrue());
        assertThat(replay.models()).anySatisfy(m -> assertThat(m.pretrainTasks()).isPositive());
        assertThat(replay.models()).anySatisfy(m -> assertThat(m.replay() == 0 && m.pretrainTasks() == 0).isTrue());
    }

    @Test
    void shouldReadTheFineTuningRecipeAndReplayKeysWhenGiven() throws Exception {
        Campaign c = CampaignFile.parse("""
                name: g
                epochs: 8
                fineTuneEpochs: 2
                fineTuneLearningRate: 0.001
                models:
                  - {name: a, family: f, size: [8], replay: 0.25, replayFrom: mnist, replayMode: replace}
                  - {name: b, family: f, size: [8], pretrainTasks: 3}
                  - {name: c, family: f, size: [8]}
                """);

        assertThat(c.epochsOf(0)).isEqualTo(8);
        assertThat(c.epochsOf(1)).isEqualTo(2);
        assertThat(c.learningRateOf(0)).isEqualTo(0.003);
        assertThat(c.learningRateOf(3)).isEqualTo(0.001);
        assertThat(c.gentlerFineTuning()).isTrue();
        assertThat(c.models().get(0).replayFrom()).isEqualTo(ModelRun.ReplaySource.MNIST);
        assertThat(c.models().get(0).replayMode()).isEqualTo(ModelRun.ReplayMode.REPLACE);
        assertThat(c.models().get(1).pretrainTasks()).isEqualTo(3);
        assertThat(c.models().get(2)).isEqualTo(new ModelRun("c", "f", Architecture.MLP, List.of(8), 0));
        // without the keys the continual stages train like stage 0
        Campaign plain = CampaignFile.parse("name: p\nepochs: 3\nmodels:\n  - {name: a, family: f, size: [8]}");
        assertThat(plain.fineTuneEpochs()).isEqualTo(3);
        assertThat(plain.gentlerFineTuning()).isFalse();
        assertThat(plain.withSeed(7).fineTuneEpochs()).isEqualTo(3);
    }

    @Test
    void shouldReadJsonAsWellAsYamlWhenLoadingAFile() throws Exception {
        Path f = dir.resolve("c.json");
        Files.writeString(f, """
                {"name": "j", "dataset": "mnist", "protocol": "split", "stages": 5, "epochs": 2, "batchSize": 16,
                 "learningRate": 0.01, "seed": 9,
                 "models": [{"name": "m", "family": "f", "architecture": "cnn", "size": [4, 8], "replay": 0.5}]}
                """);

        Campaign c = CampaignFile.resolve(f.toString());

        assertThat(c.protocol()).isEqualTo(new ContinualProtocol("mnist", ContinualProtocol.Kind.SPLIT, 9, 5));
        assertThat(c.epochs()).isEqualTo(2);
        assertThat(c.batchSize()).isEqualTo(16);
        assertThat(c.learningRate()).isEqualTo(0.01);
        assertThat(c.suite()).isEqualTo("mnist-cl");
        assertThat(c.models()).containsExactly(new ModelRun("m", "f", Architecture.CNN, List.of(4, 8), 0.5));
    }

    @Test
    void shouldNameTheKeyWhenTheFileIsInvalid() {
        assertThatThrownBy(() -> CampaignFile.parse("name: x\nepoch: 3\nmodels: []"))
                .hasMessageContaining("unknown key 'epoch'");
        assertThatThrownBy(() -> CampaignFile.parse("name: x\nmodels:\n  - {name: a, family: f, size: [8], replay: 2}"))
                .hasMessageContaining("replay must be in [0,1]");
        assertThatThrownBy(() -> CampaignFile.parse("name: x\nmodels:\n  - {name: a, family: f, size: [8], colour: red}"))
                .hasMessageContaining("unknown key 'models[0].colour'");
        assertThatThrownBy(() -> CampaignFile.parse("name: x\nmodels:\n  - {name: a, family: f, architecture: cnn, size: [8]}"))
                .hasMessageContaining("[channels, denseWidth]");
        assertThatThrownBy(() -> CampaignFile.parse("name: x\nmodels:\n  - {name: A/B, family: f, size: [8]}"))
                .hasMessageContaining("name must match");
        assertThatThrownBy(() -> CampaignFile.parse("name: x\nstages: many\nmodels:\n  - {name: a, family: f, size: [8]}"))
                .hasMessageContaining("stages must be an integer");
        assertThatThrownBy(() -> CampaignFile.resolve("nope")).hasMessageContaining("neither a file nor one of");
        assertThatThrownBy(() -> CampaignFile.parse("name: x\nmodels:\n  - {name: a, family: f, size: [8], replayFrom: web}"))
                .hasMessageContaining("replayFrom must be stage0 or mnist");
        assertThatThrownBy(() -> CampaignFile.parse(
                "name: x\nmodels:\n  - {name: a, family: f, size: [8], replay: 1, replayMode: replace}"))
                .hasMessageContaining("replay < 1");
        assertThatThrownBy(() -> CampaignFile.parse(
                "name: x\ndataset: mnist\nmodels:\n  - {name: a, family: f, size: [8], replay: 0.2, replayFrom: mnist}"))
                .hasMessageContaining("only for a digits campaign");
        assertThatThrownBy(() -> CampaignFile.parse("name: x\nfineTuneEpochs: 0\nmodels:\n  - {name: a, family: f, size: [8]}"))
                .hasMessageContaining("fineTuneEpochs must be in 1..1000");
    }
}
