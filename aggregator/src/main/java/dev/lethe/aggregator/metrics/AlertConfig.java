package dev.lethe.aggregator.metrics;

/**
 * The thresholds of the knowledge-loss alert rule (docs/METRICS.md), immutable and validated.
 *
 * @param alpha              family-wise significance level, Bonferroni-divided by the suite's element count
 *                           (key {@code alert.alpha}, default 0.01)
 * @param minDropPp          smallest absolute drop that may fire, percentage points
 *                           (key {@code alert.min-drop-pp}, default 2.0)
 * @param minRelativeDropPct smallest drop relative to the previous score that may fire, percent
 *                           (key {@code alert.min-relative-drop-pct}, default 5.0)
 * @param criticalDropPp     drop from which an alert is CRITICAL instead of WARNING, percentage points
 *                           (key {@code alert.critical-drop-pp}, default 10.0)
 * @param maxFgPct           category FG whose upward crossing raises FG_THRESHOLD, percent
 *                           (key {@code alert.max-fg-pct}, default 15.0)
 */
public record AlertConfig(double alpha, double minDropPp, double minRelativeDropPct, double criticalDropPp,
                          double maxFgPct) {

    public static final double DEFAULT_ALPHA = 0.01;
    public static final double DEFAULT_MIN_DROP_PP = 2.0;
    public static final double DEFAULT_MIN_RELATIVE_DROP_PCT = 5.0;
    public static final double DEFAULT_CRITICAL_DROP_PP = 10.0;
    public static final double DEFAULT_MAX_FG_PCT = 15.0;

    public AlertConfig {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alert.alpha must be in (0, 1), got " + alpha);
        }
        requireFiniteNonNegative("alert.min-drop-pp", minDropPp);
        requireFiniteNonNegative("alert.min-relative-drop-pct", minRelativeDropPct);
        requireFiniteNonNegative("alert.critical-drop-pp", criticalDropPp);
        requireFiniteNonNegative("alert.max-fg-pct", maxFgPct);
    }

    /** The documented defaults: alpha 0.01, minDropPp 2.0, minRelativeDropPct 5.0, criticalDropPp 10.0, maxFgPct 15.0. */
    public static AlertConfig defaults() {
        return new AlertConfig(DEFAULT_ALPHA, DEFAULT_MIN_DROP_PP, DEFAULT_MIN_RELATIVE_DROP_PCT,
                DEFAULT_CRITICAL_DROP_PP, DEFAULT_MAX_FG_PCT);
    }

    public AlertConfig withAlpha(double value) {
        return new AlertConfig(value, minDropPp, minRelativeDropPct, criticalDropPp, maxFgPct);
    }

    public AlertConfig withMinDropPp(double value) {
        return new AlertConfig(alpha, value, minRelativeDropPct, criticalDropPp, maxFgPct);
    }

    public AlertConfig withMinRelativeDropPct(double value) {
        return new AlertConfig(alpha, minDropPp, value, criticalDropPp, maxFgPct);
    }

    public AlertConfig withCriticalDropPp(double value) {
        return new AlertConfig(alpha, minDropPp, minRelativeDropPct, value, maxFgPct);
    }

    public AlertConfig withMaxFgPct(double value) {
        return new AlertConfig(alpha, minDropPp, minRelativeDropPct, criticalDropPp, value);
    }

    private static void requireFiniteNonNegative(String key, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(key + " must be a finite number >= 0, got " + value);
        }
    }
}
