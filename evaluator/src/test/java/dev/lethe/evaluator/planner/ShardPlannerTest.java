package dev.lethe.evaluator.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ShardPlannerTest {

    static final Map<String, String> ATTRS = Map.of("dataset", "digits", "protocol", "permuted", "seed", "7", "stages", "3");
    final SuiteCatalog catalog = new SuiteCatalog(null);
    final ShardPlanner planner = new ShardPlanner(catalog);

    static CheckpointReady event(Consumer<CheckpointReady.Builder> change) {
        CheckpointReady.Builder b = CheckpointReady.newBuilder()
                .setCheckpointId("c1/mlp-a/2").setCampaign("c1").setFamily("mlp").setModel("mlp-a").setStage(2)
                .setTask("perm-2").setCheckpointUri("file:/ckpt/c1/mlp-a/stage-2.zip").setCheckpointSha256("ab".repeat(32))
                .setFormat(CheckpointFormat.DL4J_MULTILAYER).setSuite("digits-cl").setTrainingStep(40)
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).setAttributes(new HashMap<>(ATTRS));
        change.accept(b);
        return b.build();
    }

    @Test
    void shouldEmitOneTaskPerShardCoveringEveryItemWhenExpandingACheckpoint() throws Exception {
        Suite suite = catalog.resolve("digits-cl", ATTRS);

        ShardPlanner.Plan plan = planner.plan(event(b -> { }));

        assertThat(plan.rejected()).isFalse();
        List<EvalTask> tasks = plan.tasks();
        assertThat(tasks).hasSize(suite.shardCount());
        assertThat(tasks).extracting(EvalTask::getTaskId).doesNotHaveDuplicates();
        Map<String, List<EvalTask>> byBenchmark = tasks.stream().collect(Collectors.groupingBy(EvalTask::getBenchmark));
        assertThat(byBenchmark.keySet()).containsExactlyInAnyOrderElementsOf(
                suite.elements().stream().map(SuiteElement::benchmark).toList());
        for (SuiteElement element : suite.elements()) {
            List<EvalTask> shards = byBenchmark.get(element.benchmark());
            assertThat(shards).hasSize(element.shardCount());
            int next = 0;
            for (int i = 0; i < shards.size(); i++) {
                EvalTask t = shards.get(i);
                assertThat(t.getShardIndex()).isEqualTo(i);
                assertThat(t.getShardCount()).isEqualTo(element.shardCount());
                assertThat(t.getItemStart()).isEqualTo(next);
                assertThat(t.getItemEnd()).isGreaterThan(t.getItemStart());
                assertThat(t.getCategory()).isEqualTo(element.category());
                assertThat(t.getTaskId()).isEqualTo("c1/mlp-a/2/" + element.benchmark() + "/" + i);
                next = t.getItemEnd();
            }
            assertThat(next).isEqualTo(element.itemCount());
        }
        EvalTask first = tasks.get(0);
        assertThat(first.getSuiteVersion()).isEqualTo(suite.version());
        assertThat(first.getCheckpointSha256()).isEqualTo("ab".repeat(32));
        assertThat(first.getCheckpointUri()).isEqualTo("file:/ckpt/c1/mlp-a/stage-2.zip");
        assertThat(first.getStage()).isEqualTo(2);
        assertThat(first.getTask()).isEqualTo("perm-2");
        assertThat(first.getAttributes()).containsAllEntriesOf(ATTRS);
        assertThat(first.getCheckpointCreatedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    }

    @Test
    void shouldPlanIdenticalTasksWhenCheckpointIsRepublished() {
        assertThat(planner.plan(event(b -> { })).tasks()).isEqualTo(planner.plan(event(b -> { })).tasks());
    }

    @Test
    void shouldRejectWithTheRightReasonWhenEventIsInvalid() {
        assertRejected(event(b -> b.setStage(-1)), DeadLetterReason.VALIDATION, "stage must be >= 0");
        assertRejected(event(b -> b.setCheckpointSha256("not-a-sha")), DeadLetterReason.VALIDATION, "checkpointSha256");
        assertRejected(event(b -> b.setCheckpointUri("file:/a b\\c")), DeadLetterReason.VALIDATION, "not a URI");
        assertRejected(event(b -> b.setCheckpointUri("relative/path.zip")), DeadLetterReason.VALIDATION, "scheme");
        assertRejected(event(b -> b.setCheckpointUri("ftp://x/y.zip")), DeadLetterReason.VALIDATION, "file:, http: or https:");
        assertRejected(event(b -> b.setFormat(CheckpointFormat.UNKNOWN)), DeadLetterReason.VALIDATION, "format");
        assertRejected(event(b -> b.setCheckpointId(" ")), DeadLetterReason.VALIDATION, "checkpointId");
        assertRejected(event(b -> b.setTask(null)), DeadLetterReason.VALIDATION, "task must be set");
        assertRejected(event(b -> b.setSuite("nope-cl")), DeadLetterReason.UNKNOWN_SUITE, "unknown suite");
        assertRejected(event(b -> b.setAttributes(Map.of())), DeadLetterReason.VALIDATION, "attribute dataset is missing");
        assertRejected(event(b -> b.setStage(4).setTask("perm-4").setCheckpointId("c1/mlp-a/4")), DeadLetterReason.VALIDATION,
                "beyond the campaign's 3 stages");
    }

    @Test
    void shouldRejectNamesLethePublishRefusesWhenARawEventCarriesThem() {
        assertRejected(event(b -> b.setFamily("ml/p")), DeadLetterReason.VALIDATION, "family must not contain '/'");
        assertRejected(event(b -> b.setModel("mlp\u0000a").setCheckpointId("c1/mlp\u0000a/2")), DeadLetterReason.VALIDATION,
                "model must not contain control characters, got U+0000 at index 3");
        assertRejected(event(b -> b.setCampaign("c1\n")), DeadLetterReason.VALIDATION, "campaign must not contain control characters");
        assertRejected(event(b -> b.setCampaign(" c1")), DeadLetterReason.VALIDATION, "campaign must not start or end with whitespace");
        assertRejected(event(b -> b.setModel("")), DeadLetterReason.VALIDATION, "model must not be empty");
        // the aggregator could not keep a name this long in its state
        String longName = "m".repeat(1_001);
        assertRejected(event(b -> b.setModel(longName).setCheckpointId("c1/" + longName + "/2")), DeadLetterReason.VALIDATION,
                "model must be at most 1000 characters, got 1001");
        // with '/' inside a part, campaign/model/stage would be ambiguous: c1/x + y and c1 + x/y give one id
        assertRejected(event(b -> b.setCheckpointId("c1/mlp-a/3")), DeadLetterReason.VALIDATION,
                "checkpointId must be campaign/model/stage = 'c1/mlp-a/2', got 'c1/mlp-a/3'");
    }

    @Test
    void shouldAcceptStageZeroWithoutTask() {
        ShardPlanner.Plan plan = planner.plan(event(b -> b.setStage(0).setTask(null).setCheckpointId("c1/mlp-a/0")));

        assertThat(plan.rejected()).isFalse();
        assertThat(plan.tasks()).isNotEmpty().allSatisfy(t -> assertThat(t.getTask()).isNull());
    }

    private void assertRejected(CheckpointReady event, DeadLetterReason reason, String messagePart) {
        ShardPlanner.Plan plan = planner.plan(event);
        assertThat(plan.rejected()).as(messagePart).isTrue();
        assertThat(plan.tasks()).isEmpty();
        assertThat(plan.rejection().reason()).as(messagePart).isEqualTo(reason);
        assertThat(plan.rejection().message()).contains(messagePart);
    }
}
