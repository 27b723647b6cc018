package dev.lethe.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @TempDir
    Path dir;

    /** One model, one continual stage, one epoch, seed 3: trains in about a second. */
    private Path tinyCampaign() throws Exception {
        Path campaign = dir.resolve("c.yaml");
        Files.writeString(campaign, """
                name: cli
                stages: 1
                epochs: 1
                seed: 3
                models:
                  - {name: m, family: f, size: [16]}
                """);
        return campaign;
    }

    @Test
    void shouldTrainThenResumeWithoutRetrainingWhenRunTwiceWithoutACluster() throws Exception {
        Path campaign = tinyCampaign();
        Path ck = dir.resolve("ck");

        CliRun first = CliRun.of("train", "--campaign", campaign.toString(), "--checkpoints", ck.toString());
        CliRun second = CliRun.of("train", "--campaign", campaign.toString(), "--checkpoints", ck.toString());

        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("campaign cli: 2 checkpoints (2 trained, 0 resumed), 0 published (no cluster given)");
        assertThat(first.err()).contains("m ").contains("stage 1 perm-1");
        assertThat(ck.resolve("cli/m/stage-1.zip")).isRegularFile();
        assertThat(ck.resolve("cli/m/stage-1.zip.sha256")).isRegularFile();
        assertThat(second.exit()).isZero();
        assertThat(second.out()).contains("2 checkpoints (0 trained, 2 resumed)");
    }

    @Test
    void shouldTrainUnderASeededNameWithOtherWeightsWhenGivenASeed() throws Exception {
        Path campaign = tinyCampaign();
        Path ck = dir.resolve("ck");

        CliRun own = CliRun.of("train", "--campaign", campaign.toString(), "--checkpoints", ck.toString());
        CliRun seeded = CliRun.of("train", "--campaign", campaign.toString(), "--checkpoints", ck.toString(), "--seed", "7");

        assertThat(seeded.exit()).as(seeded.err()).isZero();
        assertThat(seeded.out()).contains("campaign cli-seed7: 2 checkpoints (2 trained, 0 resumed)");
        assertThat(own.exit()).as(own.err()).isZero();
        // another seed: other initial weights and another permutation, so other checkpoints
        assertThat(Files.readString(ck.resolve("cli-seed7/m/stage-1.zip.sha256")).strip())
                .isNotEqualTo(Files.readString(ck.resolve("cli/m/stage-1.zip.sha256")).strip());
    }

    @Test
    void shouldExitWithUsageWhenTheCampaignIsInvalidOrMnistHasNoDataDir() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: x\nepoch: 3\nmodels: []\n");
        Path mnist = dir.resolve("mnist.yaml");
        Files.writeString(mnist, "name: x\ndataset: mnist\nmodels:\n  - {name: m, family: f, size: [16]}\n");

        CliRun unknownKey = CliRun.of("train", "--campaign", bad.toString(), "--checkpoints", dir.toString());
        CliRun noData = CliRun.of("train", "--campaign", mnist.toString(), "--checkpoints", dir.toString());
        CliRun missing = CliRun.of("train", "--campaign", "nope", "--checkpoints", dir.toString());

        assertThat(unknownKey.exit()).isEqualTo(2);
        assertThat(unknownKey.err()).contains("unknown key 'epoch'");
        assertThat(noData.exit()).isEqualTo(2);
        assertThat(noData.err()).contains("--data-dir");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("neither a file nor one of [default, quick, findings-scale, findings-arch, findings-replay]");
    }
}
