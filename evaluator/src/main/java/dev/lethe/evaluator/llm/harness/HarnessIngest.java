package dev.lethe.evaluator.llm.harness;

import dev.lethe.evaluator.llm.ChoiceMetric;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.MetricPolarity;
import dev.lethe.schemas.PlannedElement;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import dev.lethe.schemas.bits.ItemBits;
import dev.lethe.schemas.names.CheckpointNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns an lm-evaluation-harness run into Lethe's per-item {@link ShardResult}s for one checkpoint, as if Lethe had
 * scored it: each mapped task's samples (those of the target's filter) become the items of the target's element, in
 * task-name then {@code doc_id} order (for MMLU the order {@code lethe suite import mmlu} uses), the sample's metric
 * value (0 or 1) the item's bit; elements are cut into shards of {@code shardSize}. The suite version hashes every
 * element's layout and each item's task, {@code doc_id} and {@code doc_hash}, so runs over the same documents pair up
 * and a run over other documents does not. Scorer {@value #SCORER}, no log-likelihood sum.
 */
public final class HarnessIngest {

    public static final String SCORER = "lm-eval-harness";

    /** The checkpoint the run scored, and how its results are laid out. */
    public record Checkpoint(String campaign, String family, String model, int stage, String task, String suite, int shardSize,
                             String evaluatorId, Instant createdAt) {

        public Checkpoint {
            if (shardSize < 1) {
                throw new IllegalArgumentException("shard size must be >= 1, got " + shardSize);
            }
        }

        public String checkpointId() {
            return campaign + "/" + model + "/" + stage;
        }
    }

    /**
     * What an ingest produced: the shard results, the checkpoint's plan (its elements, so the aggregator waits for all of
     * them before it judges a category, as with the planner's checkpoints), the tasks skipped for lack of a mapping, and
     * a summary per element.
     */
    public record Outcome(List<ShardResult> results, CheckpointPlan plan, List<String> skippedTasks,
                          Map<String, ElementSummary> elements, String suiteVersion) {
    }

    /** One element's totals, and the harness's own reported value of the same metric where its results file has it. */
    public record ElementSummary(String category, String metric, int n, int correct, Double reportedMean) {
    }

    private HarnessIngest() {
    }

    public static Outcome ingest(HarnessRun run, TaskMapping mapping, Checkpoint checkpoint) {
        Map<String, Element> elements = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        for (Map.Entry<String, List<HarnessSample>> task : run.samples().entrySet()) {
            List<TaskMapping.Target> targets = mapping.targets(task.getKey());
            if (targets.isEmpty()) {
                skipped.add(task.getKey());
                continue;
            }
            for (TaskMapping.Target target : targets) {
                requireShortNames(target);
                Element element = elements.computeIfAbsent(target.element(), k -> new Element(target));
                if (!element.target.category().equals(target.category()) || !element.target.metric().equals(target.metric())) {
                    throw new IllegalArgumentException("element " + target.element() + " gets task " + task.getKey() + " as "
                            + target.category() + "/" + target.metric() + " but earlier tasks as " + element.target.category() + "/" + element.target.metric());
                }
                element.add(task.getKey(), task.getValue(), target, run);
            }
        }
        if (elements.isEmpty()) {
            throw new IllegalArgumentException("no task of the run maps to a Lethe element (tasks " + run.samples().keySet()
                    + "); give a --mapping file");
        }
        String version = version(elements, checkpoint.shardSize());
        List<ShardResult> results = new ArrayList<>();
        List<PlannedElement> planned = new ArrayList<>();
        Map<String, ElementSummary> summaries = new LinkedHashMap<>();
        for (Map.Entry<String, Element> e : elements.entrySet()) {
            results.addAll(e.getValue().shards(e.getKey(), checkpoint, version));
            planned.add(new PlannedElement(e.getKey(), e.getValue().target.category()));
            summaries.put(e.getKey(), e.getValue().summary());
        }
        CheckpointPlan plan = CheckpointPlan.newBuilder().setCheckpointId(checkpoint.checkpointId()).setCampaign(checkpoint.campaign())
                .setFamily(checkpoint.family()).setModel(checkpoint.model()).setStage(checkpoint.stage()).setSuite(checkpoint.suite())
                .setSuiteVersion(version).setElements(planned).build();
        return new Outcome(results, plan, skipped, summaries, version);
    }

    /**
     * The aggregator refuses a shard whose names pass {@link CheckpointNames#MAX_CHARS}; refused there after the plan
     * announced its element, the element would be awaited for good.
     */
    private static void requireShortNames(TaskMapping.Target target) {
        for (String name : List.of(target.element(), target.category(), target.metric() + "," + target.filter())) {
            if (name.length() > CheckpointNames.MAX_CHARS) {
                throw new IllegalArgumentException("the mapping's name '" + CheckpointNames.printable(name) + "' is "
                        + name.length() + " characters; at most " + CheckpointNames.MAX_CHARS + " are allowed");
            }
        }
    }

    private static String version(Map<String, Element> elements, int shardSize) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder sb = new StringBuilder("lethe-lm-eval-ingest 1\nshard-size ").append(shardSize).append('\n');
        elements.forEach((name, element) -> {
            sb.append("element\t").append(name).append('\t').append(element.target.category()).append('\t')
                    .append(element.metricName()).append('\n');
            element.items.forEach(i -> sb.append(i.task).append('\t').append(i.docId).append('\t').append(i.docHash).append('\n'));
        });
        return HexFormat.of().formatHex(digest.digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private record Item(String task, int docId, String docHash, boolean bit) {
    }

    /** One element's items, gathered from its tasks. */
    private static final class Element {

        final TaskMapping.Target target;
        final List<Item> items = new ArrayList<>();
        double reportedSum;
        int reportedN;
        boolean allReported = true;

        Element(TaskMapping.Target target) {
            this.target = target;
        }

        void add(String task, List<HarnessSample> samples, TaskMapping.Target target, HarnessRun run) {
            Map<Integer, Item> byDoc = new TreeMap<>();
            for (HarnessSample s : samples) {
                if (s.filter() != null && !s.filter().equals(target.filter())) {
                    continue;
                }
                Double v = s.values().get(target.metric());
                if (v == null && target.metric().equals(ChoiceMetric.PCT_STEREOTYPE.id())) {
                    // older harness versions' crows_pairs/utils.py returned the same value under the name "acc"
                    v = s.values().get("acc");
                }
                if (v == null) {
                    throw new IllegalArgumentException("task " + task + " doc " + s.docId() + " has no " + target.metric() + " value"
                            + " (it has " + s.values().keySet() + ")");
                }
                if (v != 0.0 && v != 1.0) {
                    throw new IllegalArgumentException("task " + task + " doc " + s.docId() + " has " + target.metric() + " = " + v
                            + ", not a per-item 0/1 correctness");
                }
                if (byDoc.put(s.docId(), new Item(task, s.docId(), s.docHash() == null ? "" : s.docHash(), v == 1.0)) != null) {
                    throw new IllegalArgumentException("task " + task + " has doc " + s.docId() + " twice for filter " + target.filter());
                }
            }
            if (byDoc.isEmpty()) {
                throw new IllegalArgumentException("task " + task + " has no samples for filter " + target.filter());
            }
            items.addAll(byDoc.values());
            var reported = run.reported(task, target.metric(), target.filter());
            if (reported.isPresent()) {
                reportedSum += reported.get() * byDoc.size();
                reportedN += byDoc.size();
            } else {
                allReported = false;
            }
        }

        String metricName() {
            return target.filter().equals("none") ? target.metric() : target.metric() + "," + target.filter();
        }

        MetricPolarity polarity() {
            return target.metric().equals(ChoiceMetric.PCT_STEREOTYPE.id()) ? MetricPolarity.CLOSER_TO_50_IS_BETTER : MetricPolarity.HIGHER_IS_BETTER;
        }

        /**
         * The chance level where the metric alone tells it: 50 % for a bias share, 0 for exact match. For acc and
         * acc_norm it depends on the choices, which the samples file does not list: unknown.
         */
        Double chancePct() {
            if (polarity() == MetricPolarity.CLOSER_TO_50_IS_BETTER) {
                return 50.0;
            }
            return target.metric().equals("exact_match") ? 0.0 : null;
        }

        ElementSummary summary() {
            int correct = (int) items.stream().filter(Item::bit).count();
            return new ElementSummary(target.category(), metricName(), items.size(), correct,
                    allReported && reportedN > 0 ? reportedSum / reportedN : null);
        }

        List<ShardResult> shards(String name, Checkpoint c, String version) {
            int count = (items.size() + c.shardSize() - 1) / c.shardSize();
            List<ShardResult> out = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                int start = k * c.shardSize();
                int end = Math.min(items.size(), start + c.shardSize());
                boolean[] bits = new boolean[end - start];
                int correct = 0;
                for (int i = start; i < end; i++) {
                    bits[i - start] = items.get(i).bit;
                    correct += bits[i - start] ? 1 : 0;
                }
                out.add(ShardResult.newBuilder()
                        .setTaskId(c.checkpointId() + "/" + name + "/" + k).setCheckpointId(c.checkpointId())
                        .setCampaign(c.campaign()).setFamily(c.family()).setModel(c.model()).setStage(c.stage()).setTask(c.task())
                        .setSuite(c.suite()).setSuiteVersion(version).setBenchmark(name).setCategory(target.category())
                        .setShardIndex(k).setShardCount(count).setItemStart(start).setItemEnd(end)
                        .setN(end - start).setCorrect(correct).setItemBits(ByteBuffer.wrap(ItemBits.pack(bits)))
                        .setLogLikelihoodSum(null).setScorer(SCORER).setEvaluatorId(c.evaluatorId()).setDurationMs(0)
                        .setStatus(ShardStatus.OK).setCheckpointCreatedAt(c.createdAt())
                        .setMetric(metricName()).setPolarity(polarity()).setChancePct(chancePct())
                        .build());
            }
            return out;
        }
    }
}
