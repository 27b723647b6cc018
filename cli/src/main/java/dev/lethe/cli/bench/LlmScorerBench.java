package dev.lethe.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.evaluator.llm.ChoiceMetric;
import dev.lethe.evaluator.llm.LlmScorerConfig;
import dev.lethe.evaluator.llm.MultipleChoiceItem;
import dev.lethe.evaluator.llm.MultipleChoiceItems;
import dev.lethe.evaluator.llm.OpenAiCompletionsScorer;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.EvalTask;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code llm_scorer_vs_raw_client}: items/s of the {@code OPENAI_COMPLETIONS} scorer (one shard of multiple-choice
 * items, {@code batch} prompts per request, {@code inFlight} requests at once, responses parsed into
 * log-likelihoods and judged) over items/s of a plain concurrent {@link HttpClient} sending the same request bodies
 * to the same fixed-latency local server with the same concurrency and reading the answers as bytes. Both see the
 * same server cost, so the ratio is the scorer's own overhead. A second scorer pass runs against a server that
 * answers every 10th request 429 (Retry-After: 0): all items must still be scored, none dead-lettered.
 */
final class LlmScorerBench {

    record Result(int items, int promptsPerItem, int batch, int inFlight, long serverLatencyMs, List<Double> rawItemsPerS,
                  List<Double> scorerItemsPerS, double rawMedian, double scorerMedian, int throttledRequests,
                  int itemsScoredUnderThrottling) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int BATCH = 16;
    static final int IN_FLIGHT = 4;
    static final long LATENCY_MS = 20;

    private final BenchLog log;

    LlmScorerBench(BenchLog log) {
        this.log = log;
    }

    Result run(int items, int passes) throws Exception {
        MultipleChoiceItems shard = items(items);
        LlmScorerConfig config = LlmScorerConfig.defaults().withBatching(BATCH, IN_FLIGHT).withRetries(6, Duration.ofMillis(5));
        List<Double> raw = new ArrayList<>();
        List<Double> scorer = new ArrayList<>();
        int throttled;
        int scoredUnderThrottling;
        try (FixedLatencyCompletionsServer server = new FixedLatencyCompletionsServer(LATENCY_MS, 2 * IN_FLIGHT, 0);
             OpenAiCompletionsScorer lethe = new OpenAiCompletionsScorer(config, List.of(server.baseUrl()))) {
            List<byte[]> bodies = requestBodies(shard);
            EvalTask task = task(server.baseUrl(), items);
            lethe.score(task, shard.slice(0, Math.min(items, 200))); // warm-up: JIT, connections
            rawPass(server.baseUrl(), bodies.subList(0, Math.min(bodies.size(), 50)));
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                rawPass(server.baseUrl(), bodies);
                raw.add(items / ((System.nanoTime() - t0) / 1e9));
                long t1 = System.nanoTime();
                lethe.score(task, shard);
                scorer.add(items / ((System.nanoTime() - t1) / 1e9));
                log.say("llm scorer: pass %d raw %.0f items/s, scorer %.0f items/s", p + 1, raw.get(p), scorer.get(p));
            }
        }
        try (FixedLatencyCompletionsServer server = new FixedLatencyCompletionsServer(LATENCY_MS, 2 * IN_FLIGHT, 10);
             OpenAiCompletionsScorer lethe = new OpenAiCompletionsScorer(config, List.of(server.baseUrl()))) {
            scoredUnderThrottling = lethe.score(task(server.baseUrl(), items), shard).n();
            throttled = server.throttled.get();
            log.say("llm scorer: %d items scored through %d answers 429", scoredUnderThrottling, throttled);
        }
        return new Result(items, 4, BATCH, IN_FLIGHT, LATENCY_MS, raw, scorer, Stats.median(raw), Stats.median(scorer), throttled,
                scoredUnderThrottling);
    }

    /** MMLU-shaped items: a context of a few hundred characters and the four letter choices. */
    static MultipleChoiceItems items(int n) {
        List<MultipleChoiceItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String context = "The following are multiple choice questions (with answers) about benchmarks.\n\nQuestion " + i
                    + ": which of these numbers is the largest?\nA. " + i + "\nB. " + (i + 1) + "\nC. " + (i * 2) + "\nD. 7\nAnswer:";
            items.add(new MultipleChoiceItem("bench/" + i, "", context, List.of("A", "B", "C", "D"), i % 4));
        }
        return new MultipleChoiceItems(items, ChoiceMetric.ACC, MultipleChoiceItems.DEFAULT_DELIMITER);
    }

    /** The request bodies the scorer sends for these items: the same prompts, batching and fields. */
    static List<byte[]> requestBodies(MultipleChoiceItems shard) throws Exception {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < shard.size(); i++) {
            for (int c = 0; c < shard.get(i).choices().size(); c++) {
                prompts.add(shard.get(i).context() + shard.continuation(i, c));
            }
        }
        List<byte[]> bodies = new ArrayList<>();
        for (int from = 0; from < prompts.size(); from += BATCH) {
            ObjectNode body = JSON.createObjectNode();
            body.put("model", "bench");
            prompts.subList(from, Math.min(prompts.size(), from + BATCH)).forEach(body.putArray("prompt")::add);
            body.put("echo", true);
            body.put("logprobs", 1);
            body.put("max_tokens", 0);
            body.put("temperature", 0);
            bodies.add(JSON.writeValueAsBytes(body));
        }
        return bodies;
    }

    private static void rawPass(String baseUrl, List<byte[]> bodies) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
        try {
            URI uri = URI.create(baseUrl + "/v1/completions");
            List<Future<Integer>> sent = new ArrayList<>();
            for (byte[] body : bodies) {
                sent.add(pool.submit(() -> http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray()).statusCode()));
            }
            for (Future<Integer> f : sent) {
                if (f.get() != 200) {
                    throw new IllegalStateException("raw client got HTTP " + f.get());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static EvalTask task(String uri, int items) {
        return EvalTask.newBuilder()
                .setTaskId("bench/llm/0/mmlu/0").setCheckpointId("bench/llm/0").setCampaign("bench").setFamily("llm").setModel("bench")
                .setStage(0).setTask(null).setCheckpointUri(uri).setCheckpointSha256("0".repeat(64)).setFormat(CheckpointFormat.OPENAI_COMPLETIONS)
                .setSuite("bench").setSuiteVersion("0".repeat(64)).setBenchmark("mmlu").setCategory("domain-knowledge")
                .setShardIndex(0).setShardCount(1).setItemStart(0).setItemEnd(items).setAttributes(new HashMap<>())
                .setCheckpointCreatedAt(Instant.EPOCH).build();
    }
}
