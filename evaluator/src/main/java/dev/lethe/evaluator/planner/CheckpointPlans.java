package dev.lethe.evaluator.planner;

import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.PlannedElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A checkpoint's plan for the aggregator ({@code lethe.checkpoint-plans}): which elements its tasks score, so the
 * aggregator knows which scores to wait for. Each element is named once; the aggregator takes a plan split over several
 * records as one, since announcing an element twice changes nothing.
 */
final class CheckpointPlans {

    private CheckpointPlans() {
    }

    /** The checkpoint's elements, in the order of its tasks, with the suite and version the tasks carry; none without tasks. */
    static Optional<CheckpointPlan> of(CheckpointReady event, List<EvalTask> tasks) {
        if (tasks.isEmpty()) {
            return Optional.empty(); // nothing will be scored, so nothing is awaited
        }
        Map<String, PlannedElement> elements = new LinkedHashMap<>();
        for (EvalTask task : tasks) {
            elements.putIfAbsent(task.getBenchmark(), new PlannedElement(task.getBenchmark(), task.getCategory()));
        }
        EvalTask first = tasks.get(0);
        return Optional.of(CheckpointPlan.newBuilder().setCheckpointId(event.getCheckpointId()).setCampaign(event.getCampaign())
                .setFamily(event.getFamily()).setModel(event.getModel()).setStage(event.getStage()).setSuite(first.getSuite())
                .setSuiteVersion(first.getSuiteVersion()).setElements(new ArrayList<>(elements.values())).build());
    }

    /**
     * The plan serialized into records of at most {@code maxBytes} each, its elements halved until they fit: a suite of
     * many long-named elements must not cost the checkpoint its plan, nor abort the planner's transaction on the
     * producer's size limit.
     *
     * @throws IllegalArgumentException when a single element does not fit
     */
    static List<byte[]> serialized(CheckpointPlan plan, Function<CheckpointPlan, byte[]> serializer, int maxBytes) {
        byte[] bytes = serializer.apply(plan);
        if (bytes.length <= maxBytes) {
            return List.of(bytes);
        }
        List<PlannedElement> elements = plan.getElements();
        if (elements.size() <= 1) {
            throw new IllegalArgumentException("the plan of checkpoint " + plan.getCheckpointId() + " naming one element is "
                    + bytes.length + " bytes, over the " + maxBytes + "-byte limit (max.request.size minus headroom)");
        }
        int half = elements.size() / 2;
        List<byte[]> out = new ArrayList<>(serialized(withElements(plan, elements.subList(0, half)), serializer, maxBytes));
        out.addAll(serialized(withElements(plan, elements.subList(half, elements.size())), serializer, maxBytes));
        return out;
    }

    private static CheckpointPlan withElements(CheckpointPlan plan, List<PlannedElement> elements) {
        return CheckpointPlan.newBuilder(plan).setElements(new ArrayList<>(elements)).build();
    }
}
