package dev.lethe.evaluator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.evaluator.checkpoint.CheckpointRejectedException;
import dev.lethe.evaluator.checkpoint.CheckpointUnavailableException;
import dev.lethe.evaluator.planner.ShardPlanner;
import dev.lethe.evaluator.scoring.ScorerRegistry;
import dev.lethe.evaluator.scoring.ShardScore;
import dev.lethe.evaluator.scoring.SleepScorer;
import dev.lethe.evaluator.suite.ImageItems;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import dev.lethe.schemas.bits.ItemBits;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardTaskHandlerTest {

    static final Map<String, String> ATTRS = Map.of("dataset", "digits", "protocol", "permuted", "seed", "5", "stages", "2");
    static final SuiteCatalog CATALOG = new SuiteCatalog(null);

    static List<EvalTask> tasks() {
        CheckpointReady event = CheckpointReady.newBuilder()
                .setCheckpointId("c/m/1").setCampaign("c").setFamily("mlp").setModel("m").setStage(1).setTask("perm-1")
                .setCheckpointUri("file:/nowhere/m.zip").setCheckpointSha256("ab".repeat(32)).setFormat(CheckpointFormat.DL4J_MULTILAYER)
                .setSuite("digits-cl").setCreatedAt(Instant.ofEpochMilli(5)).setAttributes(new HashMap<>(ATTRS)).build();
        return new ShardPlanner(CATALOG).plan(event).tasks();
    }

    static ShardTaskHandler handler(ScorerRegistry registry) {
        return new ShardTaskHandler(CATALOG, registry, "w-test");
    }

    static ScorerRegistry sleepRegistry() {
        return new ScorerRegistry().register(CheckpointFormat.DL4J_MULTILAYER, new SleepScorer(Duration.ZERO));
    }

    @Test
    void shouldBuildShardResultWithBitsetOfTheShardItemsWhenScored() throws Exception {
        EvalTask task = tasks().get(1); // digits-clean-a, shard 1
        Suite suite = CATALOG.resolve("digits-cl", ATTRS);
        ImageItems shard = (ImageItems) suite.element(task.getBenchmark()).orElseThrow().shard(task.getShardIndex());

        TaskOutcome outcome = handler(sleepRegistry()).handle(task);

        assertThat(outcome).isInstanceOf(TaskOutcome.Scored.class);
        ShardResult r = ((TaskOutcome.Scored) outcome).result();
        assertThat(r.getTaskId()).isEqualTo(task.getTaskId());
        assertThat(r.getN()).isEqualTo(task.getItemEnd() - task.getItemStart()).isEqualTo(shard.size());
        boolean[] bits = ItemBits.unpack(r.getItemBits(), r.getN());
        int even = 0;
        for (int i = 0; i < shard.size(); i++) {
            assertThat(bits[i]).isEqualTo(shard.labels()[i] % 2 == 0); // SleepScorer's synthetic answer
            even += shard.labels()[i] % 2 == 0 ? 1 : 0;
        }
        assertThat(r.getCorrect()).isEqualTo(even);
        assertThat(r.getStatus()).isEqualTo(ShardStatus.OK);
        assertThat(r.getEvaluatorId()).isEqualTo("w-test");
        assertThat(r.getScorer()).isEqualTo("sleep-0ms");
        assertThat(r.getSuiteVersion()).isEqualTo(task.getSuiteVersion());
        assertThat(r.getCheckpointCreatedAt()).isEqualTo(Instant.ofEpochMilli(5));
        assertThat(r.getChancePct()).isEqualTo(100.0 / shard.numClasses()); // the element's, the same on every shard
    }

    @Test
    void shouldRefuseWhenSuiteVersionOrShardLayoutDoNotMatch() throws Exception {
        EvalTask task = tasks().get(0);

        TaskOutcome versionMismatch = handler(sleepRegistry()).handle(EvalTask.newBuilder(task).setSuiteVersion("f".repeat(64)).build());
        TaskOutcome shardMismatch = handler(sleepRegistry()).handle(EvalTask.newBuilder(task).setShardCount(task.getShardCount() + 1).build());
        TaskOutcome rangeMismatch = handler(sleepRegistry()).handle(EvalTask.newBuilder(task).setItemEnd(task.getItemEnd() + 1).build());
        TaskOutcome unknownBenchmark = handler(sleepRegistry()).handle(EvalTask.newBuilder(task).setBenchmark("nope").build());
        TaskOutcome unknownSuite = handler(sleepRegistry()).handle(EvalTask.newBuilder(task).setSuite("nope").build());

        assertThat(((TaskOutcome.Refused) versionMismatch).reason()).isEqualTo(DeadLetterReason.SUITE_VERSION_MISMATCH);
        assertThat(((TaskOutcome.Refused) shardMismatch).reason()).isEqualTo(DeadLetterReason.SHARD_COUNT_MISMATCH);
        assertThat(((TaskOutcome.Refused) rangeMismatch).reason()).isEqualTo(DeadLetterReason.SHARD_COUNT_MISMATCH);
        assertThat(((TaskOutcome.Refused) unknownBenchmark).reason()).isEqualTo(DeadLetterReason.VALIDATION);
        assertThat(((TaskOutcome.Refused) unknownSuite).reason()).isEqualTo(DeadLetterReason.UNKNOWN_SUITE);
    }

    @Test
    void shouldMapScorerFailuresToTheirDeadLetterReasons() throws Exception {
        EvalTask task = tasks().get(0);
        ScorerRegistry rejecting = new ScorerRegistry().register(CheckpointFormat.DL4J_MULTILAYER, scorer((t, items) -> {
            throw new CheckpointRejectedException("sha256 mismatch");
        }));
        ScorerRegistry unavailable = new ScorerRegistry().register(CheckpointFormat.DL4J_MULTILAYER, scorer((t, items) -> {
            throw new CheckpointUnavailableException("gone");
        }));
        ScorerRegistry crashing = new ScorerRegistry().register(CheckpointFormat.DL4J_MULTILAYER, scorer((t, items) -> {
            throw new IllegalStateException("shape mismatch");
        }));
        ScorerRegistry wrongCount = new ScorerRegistry().register(CheckpointFormat.DL4J_MULTILAYER,
                scorer((t, items) -> ShardScore.of(new boolean[items.size() - 1], null)));
        ScorerRegistry nan = new ScorerRegistry().register(CheckpointFormat.DL4J_MULTILAYER,
                scorer((t, items) -> ShardScore.of(new boolean[items.size()], Double.NaN)));

        assertThat(((TaskOutcome.Refused) handler(rejecting).handle(task)).reason()).isEqualTo(DeadLetterReason.CHECKPOINT_REJECTED);
        assertThat(((TaskOutcome.Refused) handler(unavailable).handle(task)).reason()).isEqualTo(DeadLetterReason.CHECKPOINT_UNAVAILABLE);
        assertThat(((TaskOutcome.Refused) handler(crashing).handle(task)).reason()).isEqualTo(DeadLetterReason.SCORING_FAILED);
        assertThat(((TaskOutcome.Refused) handler(wrongCount).handle(task)).reason()).isEqualTo(DeadLetterReason.SCORING_FAILED);
        assertThat(((TaskOutcome.Refused) handler(nan).handle(task)).reason()).isEqualTo(DeadLetterReason.SCORING_FAILED);
        assertThat(((TaskOutcome.Refused) handler(new ScorerRegistry()).handle(task)).message()).contains("no scorer for checkpoint format");
    }

    @Test
    void shouldChooseScorerByCheckpointFormatWithoutTouchingTheHandler() throws Exception {
        EvalTask task = EvalTask.newBuilder(tasks().get(0)).setFormat(CheckpointFormat.OPENAI_COMPLETIONS).build();
        ScorerRegistry registry = new ScorerRegistry()
                .register(CheckpointFormat.DL4J_MULTILAYER, scorer((t, items) -> {
                    throw new AssertionError("wrong scorer");
                }))
                .register(CheckpointFormat.OPENAI_COMPLETIONS, new SleepScorer(Duration.ofMillis(1)));

        TaskOutcome outcome = handler(registry).handle(task);

        assertThat(((TaskOutcome.Scored) outcome).result().getScorer()).isEqualTo("sleep-1ms");
    }

    interface ScoreFunction {
        ShardScore score(EvalTask task, dev.lethe.evaluator.suite.ItemSet items) throws dev.lethe.evaluator.checkpoint.CheckpointException;
    }

    static dev.lethe.evaluator.scoring.Scorer scorer(ScoreFunction f) {
        return new dev.lethe.evaluator.scoring.Scorer() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public ShardScore score(EvalTask task, dev.lethe.evaluator.suite.ItemSet items) throws dev.lethe.evaluator.checkpoint.CheckpointException {
                return f.score(task, items);
            }
        };
    }
}
