package dev.lethe.cli.aggregator;

import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.MetricsReport;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.aggregator.offline.ScoresCsv;
import dev.lethe.cli.UsageException;
import dev.lethe.schemas.json.RecordJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe metrics}: the aggregator's metric library run offline over a score CSV, printing the
 * ForgettingMetric records (and with {@code --alerts} the KnowledgeLossAlerts) lethe.forgetting would end with.
 */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {
            "Compute forgetting metrics offline from a CSV of scores, with the aggregator's own metric code.",
            "CSV header: campaign,family,model,stage,benchmark,category,n,correct[,items][,task][,polarity][,chance];",
            "rows in any order; items = per-item correctness as 0/1 in item order (enables the paired McNemar test),",
            "task = what the stage fine-tuned on (enables GEM ACC/BWT and Chaudhry's average forgetting),",
            "polarity = CLOSER_TO_50_IS_BETTER for a bias share, chance = the element's chance level in percent",
            "(enables chance-normalised FG and keeps FG_THRESHOLD off elements within noise of chance).",
            "Output: JSON Lines, ForgettingMetric records ordered by family, model, stage, scope, category, benchmark;",
            "with --alerts, then the KnowledgeLossAlerts."})
public final class MetricsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--scores", required = true, paramLabel = "FILE.csv", description = "The score CSV.")
    Path scores;

    @Option(names = "--alerts", description = "Also print the KnowledgeLossAlerts the scores raise.")
    boolean alerts;

    @Option(names = "--as-of", paramLabel = "ISO-8601",
            description = "updatedAt/createdAt of every record (default: ${DEFAULT-VALUE}, so output is reproducible).",
            defaultValue = "1970-01-01T00:00:00Z")
    String asOf;

    @Mixin
    AlertOptions alertOptions;

    @Override
    public Integer call() throws IOException {
        Instant updatedAt;
        try {
            updatedAt = Instant.parse(asOf);
        } catch (DateTimeParseException e) {
            throw new UsageException("--as-of must be an ISO-8601 instant like 2026-01-01T00:00:00Z, got '" + asOf + "'");
        }
        AlertConfig config = alertOptions.toConfig();
        List<Map.Entry<RunKey, ScoreCell>> cells;
        try (Reader reader = Files.newBufferedReader(scores, StandardCharsets.UTF_8)) {
            cells = ScoresCsv.read(reader, updatedAt);
        } catch (NoSuchFileException e) {
            throw new UsageException("--scores: no such file " + scores);
        } catch (ScoresCsv.BadRowException e) {
            // bad data, not a bad flag: exit 1, the message names the file and the line
            throw new IllegalArgumentException(scores + " " + e.getMessage(), e);
        }
        MetricsReport report = MetricsReport.of(MetricsReport.matrices(cells), config);
        PrintWriter out = spec.commandLine().getOut();
        report.metrics().forEach(m -> out.println(RecordJson.toJson(m)));
        if (alerts) {
            report.alerts().forEach(a -> out.println(RecordJson.toJson(a)));
        }
        out.flush();
        return 0;
    }
}
