package dev.lethe.aggregator.metrics;

/** The significance tests and standard errors behind forgetting metrics and alerts (docs/METRICS.md). */
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
        double logTk = logGamma(m + 1.0) - logGamma(k + 1.0) - logGamma(m - k + 1.0) - m * Math.log(2);
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
        double logFirst = logGamma(n + 1.0) - logGamma(start + 1.0) - logGamma(n - start + 1.0)
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

    /** ln Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error about 1e-15). */
    static double logGamma(double x) {
        final double[] coefficients = {0.99999999999980993, 676.5203681218851, -1259.1392167224028,
            771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7};
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        x -= 1;
        double a = coefficients[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            a += coefficients[i] / (x + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
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

    /** P(Z > z) for a standard normal Z, via erfc. */
    public static double normalUpperTail(double z) {
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /**
     * Complementary error function, W. J. Cody's rational Chebyshev approximations (relative error below
     * 1e-15 over the whole real line), as used by most numerical libraries.
     */
    static double erfc(double x) {
        if (x < 0) {
            return 2 - erfc(-x);
        }
        if (x < 0.5) {
            return 1 - erfSmall(x);
        }
        if (x < 4) {
            return erfcMid(x);
        }
        return erfcLarge(x);
    }

    private static double erfSmall(double x) {
        final double[] a = {3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
            3.20937758913846947e03, 1.85777706184603153e-1};
        final double[] b = {2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
            2.84423683343917062e03};
        double y = x * x;
        double num = a[4] * y;
        double den = y;
        for (int i = 0; i < 3; i++) {
            num = (num + a[i]) * y;
            den = (den + b[i]) * y;
        }
        return x * (num + a[3]) / (den + b[3]);
    }

    private static double erfcMid(double x) {
        final double[] c = {5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
            2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03,
            1.23033935479799725e03, 2.15311535474403846e-8};
        final double[] d = {1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
            1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03,
            1.23033935480374942e03};
        double num = c[8] * x;
        double den = x;
        for (int i = 0; i < 7; i++) {
            num = (num + c[i]) * x;
            den = (den + d[i]) * x;
        }
        double r = (num + c[7]) / (den + d[7]);
        return expMinusXSquared(x) * r;
    }

    private static double erfcLarge(double x) {
        final double[] p = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
            1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
        final double[] q = {2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
            6.05183413124413191e-2, 2.33520497626869185e-3};
        if (x > 26.5) {
            return 0;
        }
        double y = 1 / (x * x);
        double num = p[5] * y;
        double den = y;
        for (int i = 0; i < 4; i++) {
            num = (num + p[i]) * y;
            den = (den + q[i]) * y;
        }
        double r = y * (num + p[4]) / (den + q[4]);
        r = (1 / Math.sqrt(Math.PI) - r) / x;
        return expMinusXSquared(x) * r;
    }

    /** exp(-x^2) computed in two parts to keep precision for large x (Cody's trick). */
    private static double expMinusXSquared(double x) {
        double xs = Math.floor(x * 16) / 16;
        double del = (x - xs) * (x + xs);
        return Math.exp(-xs * xs) * Math.exp(-del);
    }
}
