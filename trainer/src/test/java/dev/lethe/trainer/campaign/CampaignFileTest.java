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
    }
}
