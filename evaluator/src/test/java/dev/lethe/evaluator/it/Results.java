package dev.lethe.evaluator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.evaluator.planner.ShardPlanner;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.ShardResult;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Exactly-once checks over committed shard results. */
final class Results {

    private Results() {
    }

    /** Every task id a set of checkpoints expands to. */
    static Set<String> expectedTaskIds(Suite suite, List<CheckpointReady> checkpoints) {
        Set<String> ids = new TreeSet<>();
        for (CheckpointReady c : checkpoints) {
            for (SuiteElement e : suite.elements()) {
                for (int s = 0; s < e.shardCount(); s++) {
                    ids.add(ShardPlanner.taskId(c.getCheckpointId(), e.benchmark(), s));
                }
            }
        }
        return ids;
    }

    /** Asserts each expected task has exactly one committed result (and nothing else is there). */
    static void assertExactlyOnce(List<ConsumerRecord<String, ShardResult>> records, Set<String> expected) {
        Map<String, Long> counts = records.stream().collect(Collectors.groupingBy(r -> r.value().getTaskId(), Collectors.counting()));
        Map<String, Long> duplicates = counts.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(duplicates).as("task ids with more than one committed result").isEmpty();
        assertThat(counts.keySet()).as("task ids with a committed result").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(records).allSatisfy(r -> assertThat(r.key())
                .isEqualTo(r.value().getCampaign() + "/" + r.value().getModel()));
    }

    static Map<String, ShardResult> byTaskId(List<ConsumerRecord<String, ShardResult>> records) {
        return records.stream().map(ConsumerRecord::value).collect(Collectors.toMap(ShardResult::getTaskId, Function.identity(), (a, b) -> a));
    }
}
