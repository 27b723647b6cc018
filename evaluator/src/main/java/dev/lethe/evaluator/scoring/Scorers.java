package dev.lethe.evaluator.scoring;

import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.checkpoint.CheckpointBudget;
import dev.lethe.evaluator.checkpoint.CheckpointFetcher;
import dev.lethe.evaluator.checkpoint.Dl4jCheckpointLoader;
import dev.lethe.evaluator.llm.LlmScorerConfig;
import dev.lethe.evaluator.llm.OpenAiCompletionsScorer;
import dev.lethe.ml.checkpoint.Checkpoints;
import dev.lethe.schemas.CheckpointFormat;
import java.nio.file.Path;

/** Builds a worker's {@link ScorerRegistry} from its configuration (the one place a new format is wired in). */
public final class Scorers {

    private Scorers() {
    }

    public static ScorerRegistry registry(EvaluatorConfig config, Path workDir) {
        ScorerRegistry registry = new ScorerRegistry();
        if (config.scorer() == EvaluatorConfig.ScorerMode.SLEEP) {
            SleepScorer sleep = new SleepScorer(config.scorerSleep());
            for (CheckpointFormat format : CheckpointFormat.values()) {
                if (format != CheckpointFormat.UNKNOWN) {
                    registry.register(format, sleep);
                }
            }
            return registry;
        }
        CheckpointFetcher fetcher = new CheckpointFetcher(config.checkpointRoots(), config.allowedUrls(),
                config.maxCheckpointBytes(), config.httpTimeout(), workDir);
        Dl4jCheckpointLoader loader = new Dl4jCheckpointLoader(fetcher, Checkpoints.ALLOWED_ENTRIES,
                CheckpointBudget.forThisJvm(config.maxCheckpointBytes()));
        Scorer dl4j = new Dl4jMultiLayerScorer(loader, config.modelCacheSize(), config.batchSize());
        if (!config.scorerSleep().isZero()) {
            dl4j = new DelayedScorer(dl4j, config.scorerSleep());
        }
        registry.register(CheckpointFormat.DL4J_MULTILAYER, dl4j);
        registry.register(CheckpointFormat.OPENAI_COMPLETIONS,
                new OpenAiCompletionsScorer(LlmScorerConfig.fromEnvironment(System.getenv()), config.allowedUrls()));
        // DL4J_GRAPH: add a Scorer here; the worker loop does not change
        return registry;
    }
}
