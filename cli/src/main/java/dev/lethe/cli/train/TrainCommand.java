package dev.lethe.cli.train;

import dev.lethe.cli.ClusterOptions;
import dev.lethe.cli.UsageException;
import dev.lethe.trainer.campaign.Campaign;
import dev.lethe.trainer.campaign.CampaignFile;
import dev.lethe.trainer.run.CampaignResult;
import dev.lethe.trainer.run.CampaignRunner;
import dev.lethe.trainer.run.CheckpointSink;
import dev.lethe.trainer.run.ConsoleProgress;
import dev.lethe.trainer.run.PublisherSink;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code lethe train}: runs a continual fine-tuning campaign with the DL4J trainer, writing a checkpoint after every
 * stage and, when a cluster is named, publishing {@code CheckpointReady} on {@code lethe.checkpoints}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {
            "Train a continual fine-tuning campaign; checkpoint (atomically, with sha256) after every stage.",
            "Publishes CheckpointReady on <prefix>checkpoints when --bootstrap-servers or --schema-registry is given.",
            "Rerunning resumes after the last complete stage and publishes only what was not published yet.",
            "Run with OMP_NUM_THREADS=1 (the ./lethe script sets it) for speed and bit-identical checkpoints."})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--campaign", paramLabel = "FILE|default|quick", defaultValue = "default",
            description = "Campaign file (YAML or JSON, see trainer/README.md) or a built-in: default, quick, "
                    + "findings-scale, findings-arch, findings-replay (default: ${DEFAULT-VALUE}).")
    String campaign;

    @Option(names = "--checkpoints", required = true, paramLabel = "DIR",
            description = "Checkpoint root; the campaign writes under DIR/<campaign>/<model>/stage-<k>.zip.")
    Path checkpoints;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder holding mnist-t10k/ (only for dataset mnist; digits ship with Lethe).")
    Path dataDir;

    @Option(names = "--seed", paramLabel = "N", description = "Train with this seed instead of the campaign's own; the "
            + "campaign is then named <campaign>-seed<N> (before --name applies).")
    Long seed;

    @Option(names = "--name", paramLabel = "NAME", description = "Run the campaign under another name (checkpoint ids "
            + "become NAME/model/stage).")
    String name;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Campaign c;
        try {
            c = CampaignFile.resolve(campaign);
            if (seed != null) {
                c = c.withSeed(seed);
            }
            if (name != null) {
                c = c.withName(name);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("--campaign: " + e.getMessage());
        } catch (IOException e) {
            throw new UsageException("--campaign: cannot read " + campaign + ": " + e.getMessage());
        }
        if (!"1".equals(System.getenv("OMP_NUM_THREADS"))) {
            err.println("warning: OMP_NUM_THREADS is not 1; training is slower on small models and checkpoints are "
                    + "not bit-identical across thread counts");
        }
        ParseResult parsed = spec.commandLine().getParseResult();
        boolean publish = parsed.hasMatchedOption("--bootstrap-servers") || parsed.hasMatchedOption("--schema-registry");
        CampaignResult result;
        try (CheckpointSink sink = publish ? new PublisherSink(cluster.toConfig()) : CheckpointSink.none()) {
            result = CampaignRunner.run(c, checkpoints, dataDir, sink,
                    new ConsoleProgress(err, System.console() != null));
        } catch (IllegalArgumentException e) {
            // e.g. mnist without --data-dir
            throw new UsageException(e.getMessage());
        }
        out.printf(Locale.ROOT, "campaign %s: %d checkpoints (%d trained, %d resumed), %d published%s, %.1f s, under %s%n",
                c.name(), result.stages().size(), result.trainedCount(), result.stages().size() - result.trainedCount(),
                result.publishedCount(), publish ? "" : " (no cluster given)", result.totalMillis() / 1000.0,
                checkpoints.toAbsolutePath().normalize().resolve(c.name()));
        return 0;
    }
}
