package dev.lethe.aggregator.topology;

import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.PlannedElement;
import dev.lethe.schemas.failure.TransientFailure;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the planner announced (lethe.checkpoint-plans: the elements each checkpoint will be scored on, so their
 * scores are awaited) and what was refused (lethe.eval-tasks-dlq: a dead-lettered task's element will not be scored),
 * as {@link RunEvent}s keyed by model run, one per element.
 *
 * <p>Both topics belong to other components, which dead-letter what they cannot read; a record this reader cannot
 * decode is skipped with a warning (the aggregator then simply does not wait for its elements), never dead-lettered
 * a second time.
 */
abstract sealed class PlanReader<T> implements Processor<byte[], byte[], String, RunEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(PlanReader.class);

    private final String topic;
    private ProcessorContext<String, RunEvent> context;

    private PlanReader(String topic) {
        this.topic = topic;
    }

    /** Reads lethe.checkpoint-plans, which is keyed and partitioned by model run like lethe.shard-results. */
    static ProcessorSupplier<byte[], byte[], String, RunEvent> plans(String plansTopic, Deserializer<CheckpointPlan> plans) {
        return () -> new Plans(plansTopic, plans);
    }

    /** Reads lethe.eval-tasks-dlq: the planner's tasks a worker refused. */
    static ProcessorSupplier<byte[], byte[], String, RunEvent> refusals(String tasksTopic, Deserializer<EvalTask> tasks,
                                                                        Deserializer<DeadLetter> deadLetters) {
        return () -> new Refusals(tasksTopic, tasks, deadLetters);
    }

    /** The topic this reader reads. */
    final String topic() {
        return topic;
    }

    @Override
    public final void init(ProcessorContext<String, RunEvent> context) {
        this.context = context;
    }

    @Override
    public final void process(Record<byte[], byte[]> record) {
        T value;
        try {
            value = decode(record.value());
        } catch (RuntimeException e) {
            if (TransientFailure.isTransient(e)) {
                throw e; // the registry failed, not the record: read it again once the stream thread is replaced
            }
            LOG.warn("skipping an undecodable record of {}: {}", topic, e.getMessage());
            return;
        }
        if (value != null) {
            announce(value, record.timestamp());
        }
    }

    /** The record's value; null when it announces nothing. */
    abstract T decode(byte[] bytes);

    /** Forwards one event per element the value names. */
    abstract void announce(T value, long timestamp);

    /** Forwards the element's announcement unless one of its names is too long for the state (then it is not awaited). */
    final void forward(RunEvent.Announced event, long timestamp) {
        String longName = NameLimit.refusalNamesProblem(event.campaign(), event.family(), event.model(), event.element(),
                event.category(), event.suiteVersion());
        if (longName != null) {
            LOG.warn("skipping an element of {}: {}", topic, longName);
            return;
        }
        context.forward(new Record<>(event.campaign() + "/" + event.model(), event, timestamp));
    }

    /** A checkpoint's plan: each of its elements is awaited at its stage. */
    private static final class Plans extends PlanReader<CheckpointPlan> {

        private final Deserializer<CheckpointPlan> plans;

        private Plans(String plansTopic, Deserializer<CheckpointPlan> plans) {
            super(plansTopic);
            this.plans = plans;
        }

        @Override
        CheckpointPlan decode(byte[] bytes) {
            return plans.deserialize(topic(), bytes);
        }

        @Override
        void announce(CheckpointPlan plan, long timestamp) {
            for (PlannedElement element : plan.getElements()) {
                forward(new RunEvent.Announced(false, true, plan.getCampaign(), plan.getFamily(), plan.getModel(),
                        plan.getStage(), element.getBenchmark(), element.getCategory(), plan.getSuiteVersion()), timestamp);
            }
        }
    }

    /** A dead-lettered task of the planner: its element will not be scored at its stage. */
    private static final class Refusals extends PlanReader<EvalTask> {

        private final String tasksTopic;
        private final Deserializer<EvalTask> tasks;
        private final Deserializer<DeadLetter> deadLetters;

        private Refusals(String tasksTopic, Deserializer<EvalTask> tasks, Deserializer<DeadLetter> deadLetters) {
            super(tasksTopic + "-dlq");
            this.tasksTopic = tasksTopic;
            this.tasks = tasks;
            this.deadLetters = deadLetters;
        }

        /** The EvalTask inside a DeadLetter of lethe.eval-tasks-dlq; null for dead letters of anything else. */
        @Override
        EvalTask decode(byte[] bytes) {
            DeadLetter dead = deadLetters.deserialize(tasksTopic + "-dlq", bytes);
            if (dead == null || dead.getValue() == null || !tasksTopic.equals(dead.getSourceTopic())) {
                return null;
            }
            ByteBuffer value = dead.getValue();
            byte[] original = new byte[value.remaining()];
            value.duplicate().get(original);
            return tasks.deserialize(tasksTopic, original);
        }

        @Override
        void announce(EvalTask task, long timestamp) {
            forward(new RunEvent.Announced(true, true, task.getCampaign(), task.getFamily(), task.getModel(),
                    task.getStage(), task.getBenchmark(), task.getCategory(), task.getSuiteVersion()), timestamp);
        }
    }
}
