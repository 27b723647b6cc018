package dev.lethe.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/**
 * Statistics against reference values computed independently: exact sums of binomial terms with Python's big
 * integers and fractions, and the normal tail with mpmath at 60 digits (erfc(z / sqrt 2) / 2), over the range
 * the metrics reach (tiny to extreme tails, counts in the tens of thousands).
 */
class StatisticsTest {

    /** 1e-12 relative: a few ulps, times the conditioning of erfc (2 x^2) far in the tail. */
    private static final Percentage ULPS = Percentage.withPercentage(1e-10);
    /** 1e-10 relative: ln Gamma of counts near 40,000 is about 4e5, and exp of a sum of such terms keeps ~11 digits. */
    private static final Percentage LARGE_COUNTS = Percentage.withPercentage(1e-8);

    @Test
    void shouldMatchTheNormalTailFromTheCentreToTheEdgeOfDoubleRange() {
        double[][] zAndTail = {
            {0, 0.5}, {1, 0.15865525393145705}, {1.959963984540054, 0.025000000000000015},
            {-2.5, 0.9937903346742238}, {5, 2.866515718791939e-07}, {8.3, 5.2055697448902854e-17},
            {10, 7.619853024160525e-24}, {20, 2.7536241186062337e-89}, {30, 4.906713927148187e-198},
            {37.5, 4.605353009581955e-308}};
        for (double[] row : zAndTail) {
            assertThat(Statistics.normalUpperTail(row[0])).as("z = %s", row[0]).isCloseTo(row[1], ULPS);
        }
        assertThat(Statistics.normalUpperTail(40)).isZero();
        assertThat(Statistics.normalUpperTail(-40)).isEqualTo(1.0);
    }

    @Test
    void shouldMatchExactBinomialSums() {
        assertThat(Statistics.mcnemarExactP(0, 10)).isEqualTo(0.001953125);
        assertThat(Statistics.mcnemarExactP(3, 7)).isCloseTo(0.34375, ULPS);
        assertThat(Statistics.mcnemarExactP(7, 3)).isCloseTo(0.34375, ULPS);
        assertThat(Statistics.mcnemarExactP(5, 5)).isEqualTo(1.0);
        assertThat(Statistics.mcnemarExactP(1000, 1300)).isCloseTo(4.2874090021153256e-10, LARGE_COUNTS);
        assertThat(Statistics.mcnemarExactP(20000, 20500)).isCloseTo(0.013153825113143827, LARGE_COUNTS);

        assertThat(Statistics.binomialUpperTail(10, 8, 0.5)).isCloseTo(0.0546875, ULPS);
        assertThat(Statistics.binomialUpperTail(100, 40, 0.25)).isCloseTo(6.865922079629911e-4, LARGE_COUNTS);
        assertThat(Statistics.binomialUpperTail(100, 20, 0.25)).isCloseTo(0.900469589894686, LARGE_COUNTS);
        assertThat(Statistics.binomialUpperTail(2000, 560, 0.25)).isCloseTo(0.0011889064257403416, LARGE_COUNTS);
        assertThat(Statistics.binomialUpperTail(10, 0, 0.3)).isEqualTo(1.0);
        assertThat(Statistics.binomialUpperTail(10, 3, 0.0)).isEqualTo(0.0);
    }

    @Test
    void shouldGiveTheTwoProportionTestItsNormalTail() {
        // 60/100 against 40/100: pooled 0.5, se = sqrt(0.5 * 0.5 * 0.02) = 0.0707..., z = 2.8284271247461903
        assertThat(Statistics.twoProportionZ(60, 100, 40, 100)).isCloseTo(2.8284271247461903, within(1e-12));
        assertThat(Statistics.twoProportionP(60, 100, 40, 100)).isCloseTo(0.004677734981047266, ULPS);
        assertThat(Statistics.twoProportionP(0, 10, 0, 10)).isEqualTo(1.0);
    }
}
