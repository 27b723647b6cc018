package dev.lethe.evaluator.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.PlannedElement;
import dev.lethe.schemas.registry.InMemorySchemaRegistryClient;
import dev.lethe.schemas.serde.AvroSerdes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class CheckpointPlansTest {

    private final Serde<CheckpointPlan> serde = AvroSerdes.of(CheckpointPlan.class, new InMemorySchemaRegistryClient());
    private final Function<CheckpointPlan, byte[]> serializer = plan -> serde.serializer().serialize("lethe.checkpoint-plans", plan);
    private final Deserializer<CheckpointPlan> deserializer = serde.deserializer();

    @Test
    void shouldNameEachElementOnceInTaskOrderWithTheSuiteVersionOfTheTasks() throws Exception {
        CheckpointReady event = ShardPlannerTest.event(b -> { });
        ShardPlanner.Plan planned = new ShardPlanner(new SuiteCatalog(null)).plan(event);
        Suite suite = new SuiteCatalog(null).resolve("digits-cl", ShardPlannerTest.ATTRS);
        assertThat(planned.tasks().size()).as("more tasks than elements: shards").isGreaterThan(suite.elements().size());

        CheckpointPlan plan = CheckpointPlans.of(event, planned.tasks()).orElseThrow();

        assertThat(plan.getElements()).extracting(PlannedElement::getBenchmark, PlannedElement::getCategory)
                .containsExactlyElementsOf(suite.elements().stream().map(e -> tuple(e.benchmark(), e.category())).toList());
        assertThat(plan.getSuiteVersion()).isEqualTo(suite.version());
        assertThat(plan.getSuite()).isEqualTo("digits-cl");
        assertThat(List.of(plan.getCheckpointId(), plan.getCampaign(), plan.getFamily(), plan.getModel()))
                .containsExactly("c1/mlp-a/2", "c1", "mlp", "mlp-a");
        assertThat(plan.getStage()).isEqualTo(2);
    }

    @Test
    void shouldPlanNothingWhenTheCheckpointHasNoTasks() {
        assertThat(CheckpointPlans.of(ShardPlannerTest.event(b -> { }), List.<EvalTask>of())).isEmpty();
    }

    @Test
    void shouldSplitAPlanOverTheSizeLimitIntoRecordsThatFitAndNameEveryElementOnce() {
        List<PlannedElement> elements = new ArrayList<>();
        for (int i = 0; i < 57; i++) { // MMLU's subjects, with long names
            elements.add(new PlannedElement("mmlu-" + "subject-".repeat(20) + i, "domain-knowledge"));
        }
        CheckpointPlan plan = plan(elements);
        int whole = serializer.apply(plan).length;
        int limit = whole / 5;

        List<byte[]> records = CheckpointPlans.serialized(plan, serializer, limit);

        assertThat(records).hasSizeGreaterThanOrEqualTo(5).allSatisfy(bytes -> assertThat(bytes.length).isLessThanOrEqualTo(limit));
        List<PlannedElement> named = records.stream()
                .map(bytes -> deserializer.deserialize("lethe.checkpoint-plans", bytes))
                .peek(part -> assertThat(part.getCheckpointId()).isEqualTo(plan.getCheckpointId()))
                .flatMap(part -> part.getElements().stream()).toList();
        assertThat(named).containsExactlyElementsOf(elements);
        assertThat(CheckpointPlans.serialized(plan, serializer, whole)).singleElement()
                .satisfies(bytes -> assertThat(deserializer.deserialize("lethe.checkpoint-plans", bytes)).isEqualTo(plan));
    }

    @Test
    void shouldRefuseWhenOneElementAloneIsOverTheLimit() {
        CheckpointPlan plan = plan(List.of(new PlannedElement("e".repeat(900), "dk"), new PlannedElement("f", "dk")));

        assertThatThrownBy(() -> CheckpointPlans.serialized(plan, serializer, 600))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("over the 600-byte limit");
    }

    private static CheckpointPlan plan(List<PlannedElement> elements) {
        return CheckpointPlan.newBuilder().setCheckpointId("c1/mlp-a/2").setCampaign("c1").setFamily("mlp").setModel("mlp-a")
                .setStage(2).setSuite("mmlu").setSuiteVersion("v1").setElements(elements).build();
    }
}
