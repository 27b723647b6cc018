package dev.lethe.cli.aggregator;

import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.cli.UsageException;
import picocli.CommandLine.Option;

/** The alert thresholds of docs/METRICS.md as options (a picocli mixin shared by metrics and aggregate). */
public final class AlertOptions {

    @Option(names = "--alpha", paramLabel = "P", defaultValue = "" + AlertConfig.DEFAULT_ALPHA,
            description = "Significance level, Bonferroni-divided by the suite's elements (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--min-drop-pp", paramLabel = "PP", defaultValue = "" + AlertConfig.DEFAULT_MIN_DROP_PP,
            description = "Smallest absolute drop that alerts, percentage points (default: ${DEFAULT-VALUE}).")
    double minDropPp;

    @Option(names = "--min-relative-drop-pct", paramLabel = "PCT", defaultValue = "" + AlertConfig.DEFAULT_MIN_RELATIVE_DROP_PCT,
            description = "Smallest relative drop that alerts, percent (default: ${DEFAULT-VALUE}).")
    double minRelativeDropPct;

    @Option(names = "--critical-drop-pp", paramLabel = "PP", defaultValue = "" + AlertConfig.DEFAULT_CRITICAL_DROP_PP,
            description = "Drop from which an alert is CRITICAL, percentage points (default: ${DEFAULT-VALUE}).")
    double criticalDropPp;

    @Option(names = "--max-fg-pct", paramLabel = "PCT", defaultValue = "" + AlertConfig.DEFAULT_MAX_FG_PCT,
            description = "Category FG whose upward crossing raises FG_THRESHOLD, percent (default: ${DEFAULT-VALUE}).")
    double maxFgPct;

    /** The validated thresholds; a bad value is a usage error naming the option. */
    public AlertConfig toConfig() {
        try {
            return new AlertConfig(alpha, minDropPp, minRelativeDropPct, criticalDropPp, maxFgPct);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage().replace("alert.", "--"));
        }
    }
}
