package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.PlannedElement;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.topics.RecordKeys;
import dev.lethe.schemas.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded random campaign as the aggregator's input topics carry it: for every model run and stage, the planner's
 * CheckpointPlan (the elements announced), the evaluator's ShardResults, and dead-lettered tasks for the elements refused.
 * Some elements are not planned at some stages (missing stages), some appear only from a later stage (late
 * elements), some stages are refused outright, tasks are retrained (task-1, task-2, task-1, ...), and some elements
 * collapse so that alerts fire, sometimes only to be withdrawn once an earlier stage arrives.
 */
final class RandomCampaign {

    /** One input record: its topic, key and value bytes. */
    record Event(String topic, byte[] key, byte[] value) {
    }

    private static final String[][] SUITE = {
        {"dk-a", "domain-knowledge"}, {"dk-b", "domain-knowledge"}, {"dk-c", "domain-knowledge"},
        {"rs-a", "reasoning"}, {"rs-b", "reasoning"}, {"task-1", "task"}, {"task-2", "task"}};

    private RandomCampaign() {
    }

    /** Every input record of one random campaign, in campaign order (run by run, stage by stage). */
    static List<Event> events(long seed, Topics topics, AggregatorSerdes serdes) {
        Random random = new Random(seed);
        List<Event> events = new ArrayList<>();
        RunKey[] runs = {new RunKey("camp", "mlp", "mlp-a"), new RunKey("camp", "mlp", "mlp-b"),
                new RunKey("camp", "cnn", "cnn-a")};
        int stages = 3 + random.nextInt(3);
        for (RunKey run : runs) {
            int runStart = events.size();
            Map<Integer, List<PlannedElement>> plans = new TreeMap<>();
            for (String[] element : SUITE) {
                int n = 30 + random.nextInt(50);
                int firstStage = random.nextInt(6) == 0 ? 1 + random.nextInt(2) : 0; // a late element
                boolean[] items = new boolean[n];
                double accuracy = 0.6 + 0.35 * random.nextDouble();
                for (int i = 0; i < n; i++) {
                    items[i] = random.nextDouble() < accuracy;
                }
                for (int stage = firstStage; stage <= stages; stage++) {
                    if (stage > 0 && random.nextInt(8) == 0) {
                        continue; // not planned at this stage
                    }
                    for (int i = 0; i < n; i++) { // drift, now and then a collapse
                        double flip = random.nextInt(5) == 0 ? 0.45 : 0.06;
                        if (items[i] && random.nextDouble() < flip || !items[i] && random.nextDouble() < 0.04) {
                            items[i] = !items[i];
                        }
                    }
                    String task = stage == 0 ? null : "task-" + ((stage - 1) % 2 + 1);
                    int shardCount = 1 + random.nextInt(2);
                    List<EvalTask> planned = tasks(run, stage, task, element[0], element[1], n, shardCount);
                    plans.computeIfAbsent(stage, s -> new ArrayList<>()).add(new PlannedElement(element[0], element[1]));
                    if (random.nextInt(12) == 0) { // the worker refused the element's task
                        byte[] task0 = serdes.evalTask().serializer().serialize(topics.evalTasks().name(), planned.get(0));
                        DeadLetter dead = DeadLetter.newBuilder()
                                .setSourceTopic(topics.evalTasks().name()).setPartition(0).setOffset(0)
                                .setKey(ByteBuffer.wrap(bytes(planned.get(0).getTaskId())))
                                .setValue(ByteBuffer.wrap(task0))
                                .setReason(DeadLetterReason.CHECKPOINT_REJECTED).setMessage("refused by the test")
                                .setComponent("worker").setTimestamp(Instant.EPOCH).build();
                        String dlq = topics.dlq(topics.evalTasks()).name();
                        events.add(new Event(dlq, bytes(planned.get(0).getTaskId()),
                                serdes.deadLetter().serializer().serialize(dlq, dead)));
                        continue;
                    }
                    for (ShardResult shard : Shards.of(run, stage, task, element[0], element[1], itemString(items), shardCount)) {
                        // one in five keyed as results were before (checkpointId/benchmark): re-keyed by run inside
                        boolean foreignKey = random.nextInt(5) == 0;
                        events.add(new Event(topics.shardResults().name(),
                                bytes(foreignKey ? shard.getCheckpointId() + "/" + shard.getBenchmark() : RecordKeys.shardResult(shard)),
                                serdes.shardResult().serializer().serialize(topics.shardResults().name(), shard)));
                    }
                }
            }
            List<Event> planEvents = new ArrayList<>();
            plans.forEach((stage, elements) -> {
                CheckpointPlan plan = plan(run, stage, elements);
                planEvents.add(new Event(topics.checkpointPlans().name(), bytes(run.id()),
                        serdes.checkpointPlan().serializer().serialize(topics.checkpointPlans().name(), plan)));
            });
            events.addAll(runStart, planEvents);
        }
        return events;
    }

    /** The planner's plan of one checkpoint. */
    static CheckpointPlan plan(RunKey run, int stage, List<PlannedElement> elements) {
        return CheckpointPlan.newBuilder().setCheckpointId(Shards.checkpointId(run, stage)).setCampaign(run.campaign())
                .setFamily(run.family()).setModel(run.model()).setStage(stage).setSuite(Shards.SUITE)
                .setSuiteVersion(Shards.SUITE_VERSION).setElements(elements).build();
    }

    static List<EvalTask> tasks(RunKey run, int stage, String task, String benchmark, String category, int n,
                                        int shardCount) {
        List<EvalTask> out = new ArrayList<>();
        for (int index = 0; index < shardCount; index++) {
            String checkpointId = Shards.checkpointId(run, stage);
            out.add(EvalTask.newBuilder()
                    .setTaskId(checkpointId + "/" + benchmark + "/" + index)
                    .setCheckpointId(checkpointId)
                    .setCampaign(run.campaign())
                    .setFamily(run.family())
                    .setModel(run.model())
                    .setStage(stage)
                    .setTask(task)
                    .setCheckpointUri("file:/nowhere")
                    .setCheckpointSha256("0".repeat(64))
                    .setFormat(CheckpointFormat.DL4J_MULTILAYER)
                    .setSuite(Shards.SUITE)
                    .setSuiteVersion(Shards.SUITE_VERSION)
                    .setBenchmark(benchmark)
                    .setCategory(category)
                    .setShardIndex(index)
                    .setShardCount(shardCount)
                    .setItemStart(n * index / shardCount)
                    .setItemEnd(n * (index + 1) / shardCount)
                    .setCheckpointCreatedAt(Instant.parse("2026-01-01T00:00:00Z"))
                    .build());
        }
        return out;
    }

    private static String itemString(boolean[] items) {
        StringBuilder out = new StringBuilder(items.length);
        for (boolean item : items) {
            out.append(item ? '1' : '0');
        }
        return out.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
