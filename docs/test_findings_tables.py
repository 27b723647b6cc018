#!/usr/bin/env python3
"""Tests of docs/findings_tables.py's statistics (standard library only): python3 docs/test_findings_tables.py"""
import math
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import findings_tables as ft  # noqa: E402


class PairedStatisticsTest(unittest.TestCase):

    def test_reproduces_the_reviews_cnn_against_mlp_figures(self):
        # issue 18: cnn-16 - mlp-128 FG over five seeds, +11.0 +- 9.2 pp, paired t(4) = 2.69, p ~ 0.055
        s = ft.paired([12.2, 10.3, 12.3, -2.7, 23.0])
        self.assertAlmostEqual(s["mean"], 11.02, places=6)
        self.assertAlmostEqual(s["sd"], 9.1557, places=3)
        self.assertAlmostEqual(s["t"], 2.6914, places=3)
        self.assertEqual(s["df"], 4)
        self.assertAlmostEqual(s["p"], 0.05458, places=4)
        # 95 % interval: mean +- t(0.975, 4) * sd / sqrt(5), t(0.975, 4) = 2.7764
        self.assertAlmostEqual(s["lo"], -0.348, places=2)
        self.assertAlmostEqual(s["hi"], 22.388, places=2)
        self.assertEqual((s["pos"], s["neg"]), (4, 1))
        # sign flips: 4 of 32 patterns reach |sum| >= 55.1 (all +, flip -2.7, and their mirrors)
        self.assertAlmostEqual(s["flip_p"], 4 / 32)

    def test_t_quantiles_match_the_tables(self):
        for df, q in [(1, 12.7062), (2, 4.3027), (4, 2.7764), (9, 2.2622), (30, 2.0423)]:
            self.assertAlmostEqual(ft.t_quantile(0.975, df), q, places=3)

    def test_sign_flip_cannot_go_below_two_in_two_to_the_n(self):
        self.assertAlmostEqual(ft.sign_flip_p([1, 2, 3, 4, 5]), 2 / 32)

    def test_sentence_is_no_firmer_than_the_interval(self):
        wide = ft.paired([12.2, 10.3, 12.3, -2.7, 23.0])
        text = ft.sentence(wide, "cnn - mlp FG", "pp", "the cnn forgot more", "the cnn forgot less")
        self.assertIn("not resolved", text)
        self.assertIn("includes 0", text)
        self.assertNotIn("forgot", text)
        tight = ft.paired([-48.9, -52.3, -57.2, -63.2, -55.5])
        text = ft.sentence(tight, "replay - none FG", "pp", "replay forgot more", "replay forgot less")
        self.assertIn("replay forgot less (−55.4 pp on average, 95 % CI −62.1 to −48.7", text)

    def test_binomial_tail_of_chance(self):
        self.assertAlmostEqual(ft.binomial_tail(0, 10, 0.1), 1.0)
        self.assertAlmostEqual(ft.binomial_tail(10, 10, 0.5), 0.5 ** 10)
        self.assertAlmostEqual(ft.binomial_tail(2, 3, 0.5), 0.5)

    def test_slope_is_per_unit_of_x(self):
        self.assertAlmostEqual(ft.slope([0, 1, 2, 3], [1, 3, 5, 7]), 2.0)
        self.assertTrue(math.isclose(ft.slope([2, 4, 6], [5, 5, 5]), 0.0, abs_tol=1e-12))


if __name__ == "__main__":
    unittest.main()
