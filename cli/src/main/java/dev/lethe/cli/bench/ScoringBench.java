package dev.lethe.cli.bench;

import dev.lethe.cli.support.GroupProbe;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.suite.ImageItems;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.evaluator.worker.EvaluatorWorker;
import dev.lethe.ml.checkpoint.Checkpoints;
import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.tasks.ContinualProtocol;
import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.trainer.campaign.Campaign;
import dev.lethe.trainer.campaign.CampaignFile;
import dev.lethe.trainer.campaign.ModelRun;
import dev.lethe.trainer.model.ModelFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * raw_dl4j_items_per_s, evaluator_items_per_s and evaluator_overhead_ms_per_shard on the mnist-cl suite with the
 * largest model of the default campaign (by parameter count, built by the trainer's ModelFactory for 28x28 MNIST
 * and saved as a checkpoint; scoring cost does not depend on the weight values, so it is not trained).
 *
 * <p>Raw: a batched {@code net.output} loop (the evaluator's batch size) over every item of the suite with the
 * model already loaded. Evaluator: the planner and one {@link EvaluatorWorker} (the class a worker process runs,
 * here on a thread of this JVM so its listener can be timed) score the same checkpoint through Kafka, from the
 * event published to the last ShardResult readable. Each checkpoint event carries its own id, so the worker
 * loads the model once per event, as it would in a campaign.
 */
final class ScoringBench {

    static final String PREFIX = "bench-eval.";
    static final String CAMPAIGN = "bench-eval";

    /** What this benchmark measured. */
    record Result(String model, long parameters, int items, int shards, Double rawItemsPerS, List<Double> rawPasses,
                  Double rawWithPerItemReadsItemsPerS,
                  Double evaluatorItemsPerS, List<Double> evaluatorRuns, double coldItemsPerS,
                  Double overheadMsPerShard, Double overheadP90MsPerShard, Double overheadAmortizedMsPerShard,
                  Double batchTailMedianMs, int batches, double meanScoringMsPerShard) {
    }

    private final ClusterConfig cluster;
    private final Path workDir;
    private final Path dataDir;
    private final BenchLog log;

    ScoringBench(ClusterConfig base, Path workDir, Path dataDir, BenchLog log) {
        this.cluster = base.withTopicPrefix(PREFIX);
        this.workDir = workDir;
        this.dataDir = dataDir;
        this.log = log;
    }

    Result run(int rawPasses, int evaluatorRuns) throws Exception {
        Campaign campaign = CampaignFile.builtIn("default");
        ContinualProtocol protocol = new ContinualProtocol(Datasets.MNIST, campaign.protocol().kind(), campaign.seed(),
                campaign.stages());
        Suite suite = new SuiteCatalog(dataDir).resolve(protocol.suite(), protocol.toAttributes());
        int items = suite.elements().stream().mapToInt(SuiteElement::itemCount).sum();
        ImageItems first = (ImageItems) suite.elements().get(0).items();

        ModelRun largest = null;
        MultiLayerNetwork net = null;
        for (ModelRun run : campaign.models()) {
            MultiLayerNetwork candidate = ModelFactory.build(run, first.width(), first.height(), first.numClasses(),
                    ModelFactory.modelSeed(campaign.seed(), run.name()), campaign.learningRate());
            if (net == null || candidate.numParams() > net.numParams()) {
                largest = run;
                net = candidate;
            }
        }
        Path checkpointDir = workDir.resolve("checkpoints");
        Path checkpoint = checkpointDir.resolve(CAMPAIGN).resolve(largest.name()).resolve("stage-0.zip");
        String sha = Checkpoints.write(net, checkpoint, false);
        long parameters = net.numParams();
        log.say("scoring: %s (%s %s, %d parameters) on %s: %d items in %d shards", largest.name(),
                largest.architecture().label(), largest.sizeLabel(), parameters, suite.id(), items, suite.shardCount());

        EvaluatorConfig config = EvaluatorConfig.defaults(cluster).withCheckpointRoots(List.of(checkpointDir))
                .withDataDir(dataDir).withWorkerId("bench-eval-worker");
        MultiLayerNetwork loaded = Checkpoints.read(checkpoint, false);
        // the plain loop and the same loop plus the scorer's per-item reads (label probability, its log, the arg-max),
        // pass by pass in turn so both see the same machine; passes go on until 3 s of each (short passes are noisy)
        List<Double> raw = new ArrayList<>();
        List<Double> perItem = new ArrayList<>();
        onePass(loaded, suite, config.batchSize(), false);
        onePass(loaded, suite, config.batchSize(), true);
        double seconds = 0;
        while (raw.size() < rawPasses || seconds < 3 && raw.size() < 30) {
            double rate = onePass(loaded, suite, config.batchSize(), false);
            raw.add(rate);
            perItem.add(onePass(loaded, suite, config.batchSize(), true));
            seconds += items / rate;
        }
        Double rawRate = Stats.median(raw);
        Double perItemRate = Stats.median(perItem);
        log.say("raw DL4J: %.0f items/s (median of %d passes); with the scorer's per-item reads %.0f items/s", rawRate,
                raw.size(), perItemRate);

        Topics topics = cluster.topics();
        LetheTopicsAdmin.createAll(cluster, topics);
        List<ShardOverhead.Event> timeline = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch ready = new CountDownLatch(1);
        EvaluatorWorker worker = new EvaluatorWorker(config, new SuiteCatalog(dataDir), new EvaluatorWorker.Listener() {
            @Override
            public void onReady() {
                ready.countDown();
            }

            @Override
            public void onScoring(String taskId) {
                timeline.add(new ShardOverhead.Started(taskId, System.nanoTime()));
            }

            @Override
            public void onCommitted(int tasks) {
                timeline.add(new ShardOverhead.Committed(System.nanoTime()));
            }
        });
        Planner planner = new Planner(config, new SuiteCatalog(dataDir));
        List<Double> rates = new ArrayList<>();
        double cold;
        ShardOverhead.Result overhead;
        double meanScoring;
        String uri = checkpoint.toUri().toString();
        try (Admin admin = Admin.create(cluster.clientProperties());
             TopicWatcher<ShardResult> results = new TopicWatcher<>(cluster, topics.shardResults().name(),
                     AvroSerdes.forTopic(topics.shardResults(), cluster).deserializer(), true);
             CheckpointPublisher publisher = new CheckpointPublisher(cluster)) {
            planner.start();
            worker.start();
            if (!ready.await(2, TimeUnit.MINUTES)
                    || !new GroupProbe(admin).awaitStable(config.workerGroupId(), 1, Duration.ofMinutes(2))) {
                throw new IllegalStateException("the evaluator worker did not join its group within 2 minutes");
            }
            // the first event is the worker's cold start (suite build, JIT); it is reported but not in the median
            cold = scoreOnce(publisher, results, protocol, uri, sha, 0, suite, items);
            int timelineFrom = timeline.size();
            for (int i = 1; i <= evaluatorRuns; i++) {
                rates.add(scoreOnce(publisher, results, protocol, uri, sha, i, suite, items));
            }
            Map<String, Long> scoring = new HashMap<>();
            for (var a : results.arrivals()) {
                scoring.put(a.value().getTaskId(), a.value().getDurationMs());
            }
            List<ShardOverhead.Event> measured;
            synchronized (timeline) {
                measured = new ArrayList<>(timeline.subList(timelineFrom, timeline.size()));
            }
            overhead = ShardOverhead.compute(measured, scoring);
            meanScoring = results.arrivals(a -> !a.value().getCheckpointId().endsWith("/0")).stream()
                    .mapToLong(a -> a.value().getDurationMs()).average().orElse(Double.NaN);
        } finally {
            worker.close();
            planner.close();
        }
        Double rate = Stats.median(rates);
        Double overheadMs = Stats.median(overhead.perShardMs());
        Double amortized = Stats.median(overhead.perBatchMs());
        Double tail = Stats.median(overhead.tailMs());
        log.say("evaluator: %.0f items/s (median of %s; cold first event %.0f), overhead median %.1f ms/shard "
                        + "(p90 %.1f; amortized per batch %.1f ms/shard; last shard to commit %.1f ms; mean scoring %.1f ms/shard)",
                rate, round(rates), cold, overheadMs, Stats.percentile(overhead.perShardMs(), 90), amortized, tail, meanScoring);
        return new Result(largest.name(), parameters, items, suite.shardCount(), rawRate, raw, perItemRate, rate, rates, cold,
                overheadMs, Stats.percentile(overhead.perShardMs(), 90), amortized, tail, overhead.batches(), meanScoring);
    }

    /** Publishes stage {@code stage} of the checkpoint and waits for all its shard results; items per second. */
    private double scoreOnce(CheckpointPublisher publisher, TopicWatcher<ShardResult> results, ContinualProtocol protocol,
                             String uri, String sha, int stage, Suite suite, int items) throws InterruptedException {
        String checkpointId = CAMPAIGN + "/largest/" + stage;
        long start = System.nanoTime();
        publisher.publish(BenchEvents.checkpoint(CAMPAIGN, "bench", "largest", stage, protocol, uri, sha));
        // results are keyed by model run (RecordKeys.shardResult): the checkpoint is in the value
        if (!results.await(a -> checkpointId.equals(a.value().getCheckpointId()), suite.shardCount(), Duration.ofMinutes(5))) {
            throw new IllegalStateException("checkpoint " + checkpointId + " was not scored within 5 minutes");
        }
        long last = results.arrivals(a -> checkpointId.equals(a.value().getCheckpointId())).stream()
                .mapToLong(TopicWatcher.Arrival::nanos).max().orElseThrow();
        return items * 1e9 / (last - start);
    }

    /**
     * One pass of the batched output loop over every item of the suite; items per second. With {@code perItemReads}
     * each item's label probability, its log and its predicted class are read one by one, as Dl4jMultiLayerScorer does.
     */
    static double onePass(MultiLayerNetwork net, Suite suite, int batchSize, boolean perItemReads) {
        long checksum = 0;
        long start = System.nanoTime();
        long n = 0;
        for (SuiteElement element : suite.elements()) {
            ImageItems images = (ImageItems) element.items();
            for (int from = 0; from < images.size(); from += batchSize) {
                int to = Math.min(images.size(), from + batchSize);
                INDArray output = net.output(Nd4j.create(Arrays.copyOfRange(images.pixels(), from, to)), false);
                INDArray predicted = Nd4j.argMax(output, 1);
                checksum += predicted.getLong(0);
                if (perItemReads) {
                    double logLikelihood = 0;
                    for (int i = from; i < to; i++) {
                        logLikelihood += Math.log(Math.max(output.getDouble(i - from, images.labels()[i]), Double.MIN_NORMAL));
                        checksum += predicted.getInt(i - from) == images.labels()[i] ? 1 : 0;
                    }
                    checksum += logLikelihood > 0 ? 1 : 0;
                }
                n += to - from;
            }
        }
        long nanos = System.nanoTime() - start;
        if (checksum < 0) {
            throw new IllegalStateException("impossible prediction"); // keeps the loop's results alive
        }
        return n * 1e9 / nanos;
    }

    private static List<Long> round(List<Double> values) {
        return values.stream().map(Math::round).toList();
    }
}
