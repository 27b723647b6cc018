package dev.lethe.aggregator.topology;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.failure.TransientFailure;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the planner announced (lethe.eval-tasks: shard 0 of each element says its score is awaited) and what
 * was refused (lethe.eval-tasks-dlq: a dead-lettered task's element will not be scored), as {@link RunEvent}s.
 *
 * <p>Both topics belong to other components, which dead-letter what they cannot read; a record this reader cannot
 * decode is skipped with a warning (the aggregator then simply does not wait for that element), never dead-lettered
 * a second time.
 */
final class PlanReader implements Processor<byte[], byte[], String, RunEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(PlanReader.class);

    private final boolean refusals;
    private final String tasksTopic;
    private final Deserializer<EvalTask> tasks;
    private final Deserializer<DeadLetter> deadLetters;
    private ProcessorContext<String, RunEvent> context;

    private PlanReader(boolean refusals, String tasksTopic, Deserializer<EvalTask> tasks,
                       Deserializer<DeadLetter> deadLetters) {
        this.refusals = refusals;
        this.tasksTopic = tasksTopic;
        this.tasks = tasks;
        this.deadLetters = deadLetters;
    }

    /** Reads lethe.eval-tasks. */
    static PlanReader plans(String tasksTopic, Deserializer<EvalTask> tasks) {
        return new PlanReader(false, tasksTopic, tasks, null);
    }

    /** Reads lethe.eval-tasks-dlq. */
    static PlanReader refusals(String tasksTopic, Deserializer<EvalTask> tasks, Deserializer<DeadLetter> deadLetters) {
        return new PlanReader(true, tasksTopic, tasks, deadLetters);
    }

    @Override
    public void init(ProcessorContext<String, RunEvent> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        EvalTask task;
        try {
            task = refusals ? refusedTask(record.value()) : tasks.deserialize(tasksTopic, record.value());
        } catch (RuntimeException e) {
            if (TransientFailure.isTransient(e)) {
                throw e; // the registry failed, not the record: read it again once the stream thread is replaced
            }
            LOG.warn("skipping an undecodable record of {}: {}", refusals ? tasksTopic + "-dlq" : tasksTopic, e.getMessage());
            return;
        }
        if (task == null || !refusals && task.getShardIndex() != 0) {
            return; // every shard of an element carries the same announcement: one per element is enough
        }
        String longName = NameLimit.refusalNamesProblem(task.getCampaign(), task.getFamily(), task.getModel(),
                task.getBenchmark(), task.getCategory(), task.getSuiteVersion());
        if (longName != null) {
            LOG.warn("skipping a task of {}: {}", refusals ? tasksTopic + "-dlq" : tasksTopic, longName);
            return; // as an undecodable one: its element is not awaited
        }
        RunEvent event = new RunEvent.Announced(refusals, true, task.getCampaign(), task.getFamily(), task.getModel(),
                task.getStage(), task.getBenchmark(), task.getCategory(), task.getSuiteVersion());
        context.forward(new Record<>(task.getCampaign() + "/" + task.getModel(), event, record.timestamp()));
    }

    /** The EvalTask inside a DeadLetter of lethe.eval-tasks-dlq; null for dead letters of anything else. */
    private EvalTask refusedTask(byte[] value) {
        DeadLetter dead = deadLetters.deserialize(tasksTopic + "-dlq", value);
        if (dead == null || dead.getValue() == null || !tasksTopic.equals(dead.getSourceTopic())) {
            return null;
        }
        ByteBuffer bytes = dead.getValue();
        byte[] original = new byte[bytes.remaining()];
        bytes.duplicate().get(original);
        return tasks.deserialize(tasksTopic, original);
    }
}
