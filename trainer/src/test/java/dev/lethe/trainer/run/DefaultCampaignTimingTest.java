package dev.lethe.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.trainer.campaign.Campaign;
import dev.lethe.trainer.campaign.CampaignFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains the shipped default campaign once and prints how long it took (a figure, not an assertion on time). */
class DefaultCampaignTimingTest {

    @TempDir
    Path dir;

    @Test
    void shouldTrainEveryStageOfEveryModelWhenRunningTheDefaultCampaign() throws Exception {
        Campaign campaign = CampaignFile.builtIn("default");
        PrintWriter err = new PrintWriter(System.err, true);

        CampaignResult result = CampaignRunner.run(campaign, dir, null, CheckpointSink.none(),
                new ConsoleProgress(err, false));

        System.err.printf("default campaign: %d models x %d stages trained in %.1f s%n", campaign.models().size(),
                campaign.stages() + 1, result.totalMillis() / 1000.0);
        assertThat(result.stages()).hasSize(campaign.models().size() * (campaign.stages() + 1));
        assertThat(result.trainedCount()).isEqualTo(result.stages().size());
        assertThat(result.stages()).allSatisfy(s -> assertThat(s.ownTaskAccuracy()).isGreaterThan(0.5));
    }
}
