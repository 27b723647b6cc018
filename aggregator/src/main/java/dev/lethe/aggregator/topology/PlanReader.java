package dev.lethe.aggregator.topology;

import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.PlannedElement;
import dev.lethe.schemas.failure.TransientFailure;
import dev.lethe.schemas.topics.RecordKeys;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the planner announced (lethe.checkpoint-plans: the elements each checkpoint will be scored on, so their
 * scores are awaited) or what the workers refused (lethe.eval-tasks-dlq: a dead-lettered task's element will not be
 * scored), as one {@link RunEvent.Announced} per element, keyed by model run.
 *
 * <p>Both topics belong to other components; a record this reader cannot decode is skipped with a warning (the
 * aggregator then simply does not wait for its elements), never dead-lettered: lethe.checkpoint-plans has no
 * dead-letter twin, and the refusals are dead letters already.
 */
final class PlanReader implements Processor<byte[], byte[], String, RunEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(PlanReader.class);

    private final String topic;
    private final Function<byte[], List<RunEvent.Announced>> decode;
    private ProcessorContext<String, RunEvent> context;

    private PlanReader(String topic, Function<byte[], List<RunEvent.Announced>> decode) {
        this.topic = topic;
        this.decode = decode;
    }

    /** Reads lethe.checkpoint-plans, which is keyed and partitioned by model run like lethe.shard-results. */
    static ProcessorSupplier<byte[], byte[], String, RunEvent> plans(String plansTopic, Deserializer<CheckpointPlan> plans) {
        return () -> new PlanReader(plansTopic, bytes -> planned(plans.deserialize(plansTopic, bytes)));
    }

    /** Reads lethe.eval-tasks-dlq: the planner's tasks (from {@code tasksTopic}) a worker refused. */
    static ProcessorSupplier<byte[], byte[], String, RunEvent> refusals(String tasksTopic, String refusalsTopic,
                                                                      Deserializer<EvalTask> tasks,
                                                                      Deserializer<DeadLetter> deadLetters) {
        return () -> new PlanReader(refusalsTopic, bytes -> {
            byte[] task = refusedTask(tasksTopic, deadLetters.deserialize(refusalsTopic, bytes));
            return task == null ? List.of() : refused(tasks.deserialize(tasksTopic, task));
        });
    }

    @Override
    public void init(ProcessorContext<String, RunEvent> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        List<RunEvent.Announced> events;
        try {
            events = decode.apply(record.value());
        } catch (RuntimeException e) {
            if (TransientFailure.isTransient(e)) {
                throw e; // the registry failed, not the record: read it again once the stream thread is replaced
            }
            LOG.warn("skipping an undecodable record of {}: {}", topic, e.getMessage());
            return;
        }
        for (RunEvent.Announced event : events) {
            String longName = NameLimit.refusalNamesProblem(event.campaign(), event.family(), event.model(), event.element(),
                    event.category(), event.suiteVersion());
            if (longName != null) {
                LOG.warn("skipping an element of {}: {}", topic, longName); // as an undecodable one: it is not awaited
                continue;
            }
            context.forward(new Record<>(RecordKeys.modelRun(event.campaign(), event.model()), event, record.timestamp()));
        }
    }

    /** Each element of a checkpoint's plan is awaited at its stage. */
    private static List<RunEvent.Announced> planned(CheckpointPlan plan) {
        if (plan == null) {
            return List.of();
        }
        return plan.getElements().stream().map((PlannedElement element) -> new RunEvent.Announced(false, true,
                plan.getCampaign(), plan.getFamily(), plan.getModel(), plan.getStage(), element.getBenchmark(),
                element.getCategory(), plan.getSuiteVersion())).toList();
    }

    /** A refused task's element will not be scored at its stage. */
    private static List<RunEvent.Announced> refused(EvalTask task) {
        if (task == null) {
            return List.of();
        }
        return List.of(new RunEvent.Announced(true, true, task.getCampaign(), task.getFamily(), task.getModel(),
                task.getStage(), task.getBenchmark(), task.getCategory(), task.getSuiteVersion()));
    }

    /** The original bytes of an EvalTask inside a DeadLetter of {@code tasksTopic}; null for dead letters of anything else. */
    private static byte[] refusedTask(String tasksTopic, DeadLetter dead) {
        if (dead == null || dead.getValue() == null || !tasksTopic.equals(dead.getSourceTopic())) {
            return null;
        }
        ByteBuffer value = dead.getValue();
        byte[] original = new byte[value.remaining()];
        value.duplicate().get(original);
        return original;
    }
}
