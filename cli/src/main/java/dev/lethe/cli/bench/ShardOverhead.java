package dev.lethe.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-shard evaluator overhead from a worker's timeline. A worker scores the tasks of one poll one after another
 * and commits their results in one transaction, so shard i of a batch waits for its own scoring, for the scoring
 * of the batch's later shards, and for the commit. Its overhead is the time from the worker taking it up to the
 * commit, minus the scoring time of itself and of the later shards of its batch (ShardResult.durationMs): what
 * is left is decoding, suite lookup, result building, serialization, polls between shards and the commit. Pure.
 */
final class ShardOverhead {

    /** One event of the worker's timeline, in the order the worker thread produced them. */
    sealed interface Event permits Started, Committed {
    }

    /** The worker took up task {@code taskId} (EvaluatorWorker.Listener#onScoring) at {@code nanos}. */
    record Started(String taskId, long nanos) implements Event {
    }

    /** The worker committed a batch (EvaluatorWorker.Listener#onCommitted) at {@code nanos}. */
    record Committed(long nanos) implements Event {
    }

    /**
     * @param perShardMs  overhead of each committed shard whose scoring time is known, in timeline order
     * @param perBatchMs  per batch: (commit - first start - scoring of all its shards) / shards, the amortized cost
     * @param tailMs      per batch: commit - start of its last shard - that shard's scoring, i.e. building and
     *                    serializing the last result plus the transaction commit
     * @param batches     committed batches
     */
    record Result(List<Double> perShardMs, List<Double> perBatchMs, List<Double> tailMs, int batches) {
    }

    private ShardOverhead() {
    }

    /**
     * @param timeline   the worker's events in order
     * @param scoringMs  scoring time by task id (ShardResult.durationMs); shards missing here are skipped
     */
    static Result compute(List<Event> timeline, Map<String, Long> scoringMs) {
        List<Double> perShard = new ArrayList<>();
        List<Double> perBatch = new ArrayList<>();
        List<Double> tail = new ArrayList<>();
        int batches = 0;
        // tasks taken up since the last commit; a task seen twice (an abandoned batch polled again) keeps its last start
        Map<String, Long> open = new LinkedHashMap<>();
        for (Event event : timeline) {
            if (event instanceof Started s) {
                open.remove(s.taskId());
                open.put(s.taskId(), s.nanos());
            } else if (event instanceof Committed c) {
                List<Map.Entry<String, Long>> batch = new ArrayList<>(open.entrySet());
                open.clear();
                if (batch.isEmpty() || !batch.stream().allMatch(e -> scoringMs.containsKey(e.getKey()))) {
                    continue;
                }
                batches++;
                long laterScoring = 0;
                double[] overhead = new double[batch.size()];
                for (int i = batch.size() - 1; i >= 0; i--) {
                    laterScoring += scoringMs.get(batch.get(i).getKey());
                    overhead[i] = (c.nanos() - batch.get(i).getValue()) / 1e6 - laterScoring;
                }
                for (double o : overhead) {
                    perShard.add(o);
                }
                perBatch.add(((c.nanos() - batch.get(0).getValue()) / 1e6 - laterScoring) / batch.size());
                Map.Entry<String, Long> last = batch.get(batch.size() - 1);
                tail.add((c.nanos() - last.getValue()) / 1e6 - scoringMs.get(last.getKey()));
            }
        }
        return new Result(perShard, perBatch, tail, batches);
    }
}
