package dev.lethe.aggregator.metrics;

import org.apache.commons.numbers.gamma.Erfc;
import org.apache.commons.numbers.gamma.LogGamma;

/**
 * The significance tests and standard errors behind forgetting metrics and alerts (docs/METRICS.md). The special
 * functions (ln Gamma, erfc) are Apache Commons Numbers'; the sums around them are here.
 */
public final class Statistics {

    private Statistics() {
    }

    /**
     * lm-eval's standard error of an accuracy, in percentage points: 100 * sqrt(p(1-p)/(n-1)).
     *
     * @return null when n <= 1, where the sample variance is undefined
     */
    public static Double stderrPp(int n, int correct) {
        if (n <= 1) {
            return null;
        }
        double p = (double) correct / n;
        return 100.0 * Math.sqrt(p * (1 - p) / (n - 1));
    }

    /**
     * Exact two-sided McNemar p-value: min(1, 2 * P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2).
     * Summed in log space so that b + c in the tens of thousands neither underflows nor overflows.
     */
    public static double mcnemarExactP(int b, int c) {
        if (b < 0 || c < 0) {
            throw new IllegalArgumentException("b and c must be >= 0, got " + b + ", " + c);
        }
        int m = b + c;
        if (m == 0) {
            return 1.0;
        }
        int k = Math.min(b, c);
        // P(X <= k) = t_k * sum_{i<=k} t_i/t_k with t_i = C(m, i)/2^m; for k <= m/2 the terms grow with i, so the
        // ratios are summed downwards from 1 and stop once they no longer matter
        double ratio = 1;
        double sum = 1;
        for (int i = k; i >= 1; i--) {
            ratio *= (double) i / (m - i + 1);
            sum += ratio;
            if (ratio < 1e-17 * sum) {
                break;
            }
        }
        double logTk = LogGamma.value(m + 1.0) - LogGamma.value(k + 1.0) - LogGamma.value(m - k + 1.0) - m * Math.log(2);
        return Math.min(1.0, 2 * Math.exp(logTk + Math.log(sum)));
    }

    /**
     * One-sided exact binomial p-value P(X >= k), X ~ Binomial(n, p): how likely a model answering at random with
     * success probability p scores at least k of n. Terms are summed from k away from the mode, so they only shrink.
     */
    public static double binomialUpperTail(int n, int k, double p) {
        if (n < 0 || k > n || !(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("need 0 <= n, k <= n and p in [0, 1], got n=" + n + " k=" + k + " p=" + p);
        }
        if (k <= 0 || p == 1) {
            return 1.0;
        }
        if (p == 0) {
            return 0.0;
        }
        if (k > n * p) {
            return Math.min(1.0, tailFrom(n, k, p, +1));
        }
        return Math.max(0.0, 1.0 - tailFrom(n, k - 1, p, -1));
    }

    /** Sum of the Binomial(n, p) terms from {@code start} in direction {@code step} (towards the far end). */
    private static double tailFrom(int n, int start, double p, int step) {
        double logFirst = LogGamma.value(n + 1.0) - LogGamma.value(start + 1.0) - LogGamma.value(n - start + 1.0)
                + start * Math.log(p) + (n - start) * Math.log1p(-p);
        double odds = p / (1 - p);
        double ratio = 1;
        double sum = 1;
        for (int i = start; step > 0 ? i < n : i > 0; i += step) {
            ratio *= step > 0 ? (double) (n - i) / (i + 1) * odds : (double) i / (n - i + 1) / odds;
            sum += ratio;
            if (ratio < 1e-17 * sum) {
                break;
            }
        }
        return Math.exp(logFirst + Math.log(sum));
    }

    /** McNemar's chi-square statistic without continuity correction, (b-c)^2/(b+c); NaN when b + c = 0. */
    public static double mcnemarChiSquare(int b, int c) {
        return b + c == 0 ? Double.NaN : (double) (b - c) * (b - c) / (b + c);
    }

    /**
     * Two-sided p-value of the pooled two-proportion z-test of correct1/n1 against correct2/n2.
     * Returns 1 when the pooled proportion is 0 or 1 (both samples identical, no evidence of a difference).
     */
    public static double twoProportionP(int correct1, int n1, int correct2, int n2) {
        double z = twoProportionZ(correct1, n1, correct2, n2);
        return Double.isNaN(z) ? 1.0 : 2 * normalUpperTail(Math.abs(z));
    }

    /** z = (p1 - p2) / sqrt(pbar(1-pbar)(1/n1 + 1/n2)); NaN when the standard error is 0. */
    public static double twoProportionZ(int correct1, int n1, int correct2, int n2) {
        if (n1 <= 0 || n2 <= 0) {
            throw new IllegalArgumentException("sample sizes must be > 0, got " + n1 + ", " + n2);
        }
        double p1 = (double) correct1 / n1;
        double p2 = (double) correct2 / n2;
        double pooled = (double) (correct1 + correct2) / (n1 + n2);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        return se == 0 ? Double.NaN : (p1 - p2) / se;
    }

    /** The pooled standard error of the two-proportion z-test (a fraction, not percent). */
    public static double twoProportionStandardError(int correct1, int n1, int correct2, int n2) {
        double pooled = (double) (correct1 + correct2) / (n1 + n2);
        return Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
    }

    /** P(Z > z) for a standard normal Z, via erfc (Commons Numbers, accurate far into the tail). */
    public static double normalUpperTail(double z) {
        return 0.5 * Erfc.value(z / Math.sqrt(2));
    }
}
