package dev.lethe.evaluator.llm;

import dev.lethe.evaluator.checkpoint.CheckpointException;
import dev.lethe.evaluator.checkpoint.CheckpointRejectedException;
import dev.lethe.evaluator.scoring.Scorer;
import dev.lethe.evaluator.scoring.ScoringException;
import dev.lethe.evaluator.scoring.ShardScore;
import dev.lethe.evaluator.suite.ItemSet;
import dev.lethe.schemas.EvalTask;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code OPENAI_COMPLETIONS} scorer: the checkpoint URI is an OpenAI-compatible server (vLLM, llama.cpp's server,
 * TGI) serving the checkpoint; for every item of a {@link MultipleChoiceItems} shard it asks for the log-likelihood of
 * each choice continuation given the context (prompt = context + continuation, echoed with logprobs, as
 * lm-evaluation-harness's completions models do), then judges the item by the element's {@link ChoiceMetric}
 * ({@code acc}, {@code acc_norm} or {@code pct_stereotype}). The bitset is per-item correctness (for pct_stereotype:
 * the model preferred the more-stereotyping sentence); {@code logLikelihoodSum} the sum of the gold choices'
 * log-likelihoods. {@link GenerativeItems} shards (GSM8K) are generated greedily instead, over {@code /v1/completions}
 * or {@code /v1/chat/completions} ({@link GenerationApi}), and judged by exact match; they have no log-likelihood sum.
 *
 * <p>Prompts go {@link LlmScorerConfig#batchSize()} per request, at most {@link LlmScorerConfig#concurrency()}
 * requests in flight. The checkpoint sha256 cannot be checked against a server; it is the trainer's identity of the
 * weights it serves. The model name sent is the event attribute {@value #SERVED_MODEL_ATTRIBUTE}, else the event's model.
 */
public final class OpenAiCompletionsScorer implements Scorer {

    public static final String NAME = "openai-completions";
    /** Event attribute naming the served model (vLLM {@code --served-model-name}); defaults to the event's model. */
    public static final String SERVED_MODEL_ATTRIBUTE = "served-model-name";

    private final LlmScorerConfig config;
    private final CompletionsEndpoint endpoints;
    private final CompletionsClient client;
    private final ExecutorService requests;
    private final GenerationClient generation;
    private final GenerationCache generations = new GenerationCache(GENERATIONS_KEPT);

    /** Generations kept per worker for reuse (GSM8K strict and flexible share prompts): a few shards' worth. */
    static final int GENERATIONS_KEPT = 4096;

    public OpenAiCompletionsScorer(LlmScorerConfig config, List<String> allowedUrlPrefixes) {
        this.config = config.validated();
        this.endpoints = new CompletionsEndpoint(allowedUrlPrefixes);
        this.client = new CompletionsClient(config);
        this.generation = new GenerationClient(client);
        AtomicInteger threads = new AtomicInteger();
        this.requests = Executors.newFixedThreadPool(config.concurrency(), r -> {
            Thread t = new Thread(r, "lethe-completions-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ShardScore score(EvalTask task, ItemSet items) throws CheckpointException, InterruptedException {
        if (items instanceof GenerativeItems generative) {
            return scoreGenerations(task, generative);
        }
        if (!(items instanceof MultipleChoiceItems mc)) {
            throw new ScoringException("the " + NAME + " scorer scores multiple-choice text items, not " + items.getClass().getSimpleName()
                    + " (suite " + task.getSuite() + ", benchmark " + task.getBenchmark() + ")");
        }
        URI endpoint = endpoints.resolve(task.getCheckpointUri());
        double[][] lls = logLikelihoods(endpoint, servedModel(task), mc);
        boolean[] correct = new boolean[mc.size()];
        double goldSum = 0;
        for (int i = 0; i < mc.size(); i++) {
            MultipleChoiceItem item = mc.get(i);
            correct[i] = mc.choiceMetric().judge(lls[i], item.choices(), item.gold());
            goldSum += lls[i][item.gold()];
        }
        return ShardScore.of(correct, goldSum);
    }

    private static String servedModel(EvalTask task) {
        String model = task.getAttributes() == null ? null : task.getAttributes().get(SERVED_MODEL_ATTRIBUTE);
        return model == null || model.isBlank() ? task.getModel() : model;
    }

    private ShardScore scoreGenerations(EvalTask task, GenerativeItems items) throws CheckpointException, InterruptedException {
        URI completions = endpoints.resolve(task.getCheckpointUri());
        GenerationApi api;
        try {
            api = GenerationApi.fromAttribute(task.getAttributes() == null ? null : task.getAttributes().get(GenerationApi.ATTRIBUTE));
        } catch (IllegalArgumentException e) {
            throw new CheckpointRejectedException(e.getMessage(), e);
        }
        List<String> responses = generate(api, api.url(completions), servedModel(task), items);
        boolean[] correct = new boolean[items.size()];
        for (int i = 0; i < items.size(); i++) {
            correct[i] = items.judge(i, responses.get(i));
        }
        return ShardScore.of(correct, null);
    }

    /**
     * The raw greedy generation of every item, in item order: from the cache where this worker generated the same
     * prompt already, the rest {@link LlmScorerConfig#batchSize()} prompts per completions request (one per chat
     * request), at most {@link LlmScorerConfig#concurrency()} requests in flight.
     */
    public List<String> generate(GenerationApi api, URI url, String model, GenerativeItems items) throws CheckpointException, InterruptedException {
        String[] out = new String[items.size()];
        String[] keys = new String[items.size()];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            keys[i] = GenerationCache.key(api, url.toString(), model, items, items.get(i).prompt());
            out[i] = generations.get(keys[i]);
            if (out[i] == null) {
                missing.add(i);
            }
        }
        List<List<Integer>> batches = CompletionsClient.batches(missing, api == GenerationApi.CHAT ? 1 : config.batchSize());
        List<Future<List<String>>> futures = new ArrayList<>();
        try {
            for (List<Integer> batch : batches) {
                List<String> prompts = batch.stream().map(i -> items.get(i).prompt()).toList();
                futures.add(requests.submit(() -> api == GenerationApi.CHAT
                        ? List.of(generation.chat(url, model, prompts.get(0), items))
                        : generation.complete(url, model, prompts, items)));
            }
            for (int b = 0; b < batches.size(); b++) {
                List<String> texts = await(futures.get(b));
                List<Integer> batch = batches.get(b);
                for (int k = 0; k < batch.size(); k++) {
                    int i = batch.get(k);
                    out[i] = texts.get(k);
                    generations.put(keys[i], out[i]);
                }
            }
        } finally {
            futures.forEach(f -> f.cancel(true));
        }
        return List.of(out);
    }

    /** {@code result[i][c]}: log-likelihood of choice {@code c} of item {@code i} given the item's context. */
    public double[][] logLikelihoods(URI endpoint, String model, MultipleChoiceItems items) throws CheckpointException, InterruptedException {
        List<Request> all = new ArrayList<>();
        double[][] lls = new double[items.size()][];
        for (int i = 0; i < items.size(); i++) {
            MultipleChoiceItem item = items.get(i);
            String context = item.context();
            lls[i] = new double[item.choices().size()];
            for (int c = 0; c < item.choices().size(); c++) {
                all.add(new Request(i, c, context, items.continuation(i, c)));
            }
        }
        List<Future<List<PromptLogprobs>>> futures = new ArrayList<>();
        List<List<Request>> batches = CompletionsClient.batches(all, config.batchSize());
        try {
            for (List<Request> batch : batches) {
                List<String> prompts = batch.stream().map(r -> r.context + r.continuation).toList();
                futures.add(requests.submit(() -> client.echo(endpoint, model, prompts)));
            }
            for (int b = 0; b < batches.size(); b++) {
                List<PromptLogprobs> answers = await(futures.get(b));
                List<Request> batch = batches.get(b);
                for (int k = 0; k < batch.size(); k++) {
                    Request r = batch.get(k);
                    int contextChars = r.context.codePointCount(0, r.context.length());
                    int promptChars = contextChars + r.continuation.codePointCount(0, r.continuation.length());
                    lls[r.item][r.choice] = answers.get(k).continuationLogLikelihood(contextChars, promptChars);
                }
            }
        } finally {
            // a failed or interrupted shard leaves no request running for it
            futures.forEach(f -> f.cancel(true));
        }
        return lls;
    }

    private static <T> T await(Future<T> future) throws CheckpointException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CheckpointException ce) {
                throw ce;
            }
            if (cause instanceof InterruptedException ie) {
                throw ie;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new ScoringException("completions request failed: " + cause, cause);
        }
    }

    @Override
    public void close() {
        requests.shutdownNow();
    }

    private record Request(int item, int choice, String context, String continuation) {
    }
}
