package dev.lethe.cli.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The arithmetic of the benchmark figures: rates, ratios, medians and nearest-rank percentiles. Pure. */
final class Stats {

    private Stats() {
    }

    /** {@code count} events per second over {@code nanos}; null when the interval is not positive. */
    static Double perSecond(long count, long nanos) {
        return nanos <= 0 ? null : count * 1e9 / nanos;
    }

    /** {@code numerator / denominator}; null when either is missing or the denominator is not positive. */
    static Double ratio(Double numerator, Double denominator) {
        if (numerator == null || denominator == null || !(denominator > 0)) {
            return null;
        }
        return numerator / denominator;
    }

    /**
     * The nearest-rank percentile (the smallest value with at least {@code p}% of the values at or below it), so
     * a p99 over fewer than 100 samples is their maximum: never an interpolated value that was not measured.
     */
    static Double percentile(Collection<? extends Number> values, double p) {
        if (values.isEmpty()) {
            return null;
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        }
        List<Double> sorted = sorted(values);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(1, rank) - 1);
    }

    /** The median (mean of the two middle values for an even count); null for no values. */
    static Double median(Collection<? extends Number> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Double> sorted = sorted(values);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    private static List<Double> sorted(Collection<? extends Number> values) {
        List<Double> sorted = new ArrayList<>(values.size());
        for (Number v : values) {
            sorted.add(v.doubleValue());
        }
        sorted.sort(null);
        return sorted;
    }
}
