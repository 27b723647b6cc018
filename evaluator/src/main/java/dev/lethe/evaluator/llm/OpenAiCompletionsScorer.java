package dev.lethe.evaluator.llm;

import dev.lethe.evaluator.checkpoint.CheckpointException;
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
 * ({@code acc} or {@code acc_norm}). The bitset is per-item correctness; {@code logLikelihoodSum} the sum of the gold
 * choices' log-likelihoods.
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

    public OpenAiCompletionsScorer(LlmScorerConfig config, List<String> allowedUrlPrefixes) {
        this.config = config.validated();
        this.endpoints = new CompletionsEndpoint(allowedUrlPrefixes);
        this.client = new CompletionsClient(config);
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
        if (!(items instanceof MultipleChoiceItems mc)) {
            throw new ScoringException("the " + NAME + " scorer scores multiple-choice text items, not " + items.getClass().getSimpleName()
                    + " (suite " + task.getSuite() + ", benchmark " + task.getBenchmark() + ")");
        }
        URI endpoint = endpoints.resolve(task.getCheckpointUri());
        String model = task.getAttributes() == null ? null : task.getAttributes().get(SERVED_MODEL_ATTRIBUTE);
        double[][] lls = logLikelihoods(endpoint, model == null || model.isBlank() ? task.getModel() : model, mc);
        boolean[] correct = new boolean[mc.size()];
        double goldSum = 0;
        for (int i = 0; i < mc.size(); i++) {
            MultipleChoiceItem item = mc.get(i);
            correct[i] = mc.metric().predict(lls[i], item.choices()) == item.gold();
            goldSum += lls[i][item.gold()];
        }
        return ShardScore.of(correct, goldSum);
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

    private static List<PromptLogprobs> await(Future<List<PromptLogprobs>> future) throws CheckpointException, InterruptedException {
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
