package dev.lethe.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.ml.checkpoint.Checkpoints;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.trainer.campaign.Campaign;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Same campaign, same bytes; interrupted campaigns resume without retraining or republishing what is done. */
class DeterminismAndResumeTest {

    @TempDir
    Path dir;

    private static Map<String, String> shas(CampaignResult r) {
        Map<String, String> m = new TreeMap<>();
        r.stages().forEach(s -> m.put(s.checkpointId(), s.sha256()));
        return m;
    }

    @Test
    void shouldWriteBitIdenticalCheckpointsWhenTheSameCampaignRunsTwice() throws Exception {
        Campaign c = TestCampaigns.tiny("det");
        CampaignResult a = CampaignRunner.run(c, dir.resolve("a"), null, CheckpointSink.none(), null);
        CampaignResult b = CampaignRunner.run(c, dir.resolve("b"), null, CheckpointSink.none(), null);

        assertThat(shas(a)).hasSize(6).isEqualTo(shas(b));
        for (StageResult s : a.stages()) {
            Path other = CampaignRunner.checkpointPath(dir.resolve("b"), "det", s.model(), s.stage());
            assertThat(Files.readAllBytes(s.checkpoint())).isEqualTo(Files.readAllBytes(other));
        }
        // the stages really differ from each other (a no-op trainer would also be "deterministic")
        assertThat(shas(a).values().stream().distinct()).hasSize(6);
    }

    @Test
    void shouldPublishEachEventExactlyOnceWhenACrashedRunIsResumed() throws Exception {
        Campaign c = TestCampaigns.tiny("resume");
        Path cp = dir.resolve("cp");
        CampaignResult reference = CampaignRunner.run(c, dir.resolve("ref"), null, CheckpointSink.none(), null);

        // the broker goes away at the 4th event: the run fails after 3 deliveries
        RecordingSink failing = new RecordingSink(4);
        assertThatThrownBy(() -> CampaignRunner.run(c, cp, null, failing, null)).isInstanceOf(IOException.class);
        assertThat(failing.events).hasSize(3);
        // a crash between checkpoint write and sidecar: that stage must be retrained, identically
        Path lastOfMlp = CampaignRunner.checkpointPath(cp, "resume", "mlp-32", 2);
        Files.deleteIfExists(Checkpoints.sidecar(lastOfMlp));

        RecordingSink second = new RecordingSink();
        CampaignResult resumed = CampaignRunner.run(c, cp, null, second, null);
        List<CheckpointReady> all = new ArrayList<>(failing.events);
        all.addAll(second.events);

        assertThat(all.stream().map(CheckpointReady::getCheckpointId))
                .containsExactlyInAnyOrderElementsOf(shas(reference).keySet());
        assertThat(resumed.publishedCount()).isEqualTo(3);
        assertThat(shas(resumed)).isEqualTo(shas(reference));
        // mlp-32 stages 0 and 1 and cnn-4 stage 0 (written, its publish failed) were complete on disk;
        // mlp-32 stage 2 lost its sidecar and was retrained to the same bytes, its event not sent again
        assertThat(resumed.stages()).filteredOn(StageResult::resumed).extracting(StageResult::checkpointId)
                .containsExactly("resume/mlp-32/0", "resume/mlp-32/1", "resume/cnn-4/0");
        assertThat(second.events.stream().map(CheckpointReady::getCheckpointId))
                .containsExactly("resume/cnn-4/0", "resume/cnn-4/1", "resume/cnn-4/2");

        RecordingSink third = new RecordingSink();
        CampaignResult again = CampaignRunner.run(c, cp, null, third, null);
        assertThat(third.events).isEmpty();
        assertThat(again.trainedCount()).isZero();
        assertThat(shas(again)).isEqualTo(shas(reference));
    }

    @Test
    void shouldPublishLaterWhenTheFirstRunHadNoBroker() throws Exception {
        Campaign c = TestCampaigns.tiny("offline");
        CampaignResult offline = CampaignRunner.run(c, dir, null, CheckpointSink.none(), null);
        assertThat(offline.publishedCount()).isZero();

        RecordingSink sink = new RecordingSink();
        CampaignResult online = CampaignRunner.run(c, dir, null, sink, null);

        assertThat(online.trainedCount()).isZero();
        assertThat(sink.events).hasSize(6);
        assertThat(sink.events.get(0).getCheckpointSha256()).isEqualTo(offline.stages().get(0).sha256());
    }

    @Test
    void shouldPublishEverythingOnceMoreWhenTheDestinationIsAnotherCluster() throws Exception {
        Campaign c = TestCampaigns.tiny("dest");
        RecordingSink clusterA = new RecordingSink(Integer.MAX_VALUE, "cluster-a/lethe.checkpoints");
        CampaignRunner.run(c, dir, null, clusterA, null);
        RecordingSink clusterAagain = new RecordingSink(Integer.MAX_VALUE, "cluster-a/lethe.checkpoints");
        CampaignRunner.run(c, dir, null, clusterAagain, null);
        RecordingSink clusterB = new RecordingSink(Integer.MAX_VALUE, "cluster-b/lethe.checkpoints");
        CampaignRunner.run(c, dir, null, clusterB, null);

        assertThat(clusterA.events).hasSize(6);
        assertThat(clusterAagain.events).isEmpty();
        assertThat(clusterB.events).extracting(CheckpointReady::getCheckpointId)
                .containsExactlyElementsOf(clusterA.events.stream().map(CheckpointReady::getCheckpointId).toList());
        assertThat(dir.resolve("dest/published-cluster-a_lethe.checkpoints.ledger")).isRegularFile();
    }

    @Test
    void shouldRefuseToResumeWhenTheCampaignDefinitionChanged() throws Exception {
        Campaign c = TestCampaigns.tiny("changed");
        CampaignRunner.run(TestCampaigns.parse("""
                name: changed
                stages: 1
                epochs: 1
                models:
                  - {name: mlp-32, family: mlp, architecture: mlp, size: [32]}
                """), dir, null, CheckpointSink.none(), null);

        assertThatThrownBy(() -> CampaignRunner.run(c, dir, null, CheckpointSink.none(), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another definition of changed/mlp-32");
    }
}
