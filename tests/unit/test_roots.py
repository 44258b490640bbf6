"""The bracketed root finder's contract, on functions whose roots are known exactly."""

import math

import numpy as np

from constops.roots import TOLERANCE_S, bracketed_roots


def test_newton_secant_and_failures_each_meet_the_contract():
    # f_i(x) = sin(x) - c_i on [0, pi/2]: the root is asin(c_i). Bracket 2 has no slope
    # (secant steps), bracket 3 turns NaN past x = 0.5 (an SGP4 failure).
    c = np.array([0.1, 0.5, 0.9, 0.99])
    lo, hi = np.zeros(4), np.full(4, math.pi / 2)

    def evaluate(indices, x):
        f = np.sin(x) - c[indices]
        slope = np.where(indices == 2, np.nan, np.cos(x))
        return np.where((indices == 3) & (x > 0.5), np.nan, f), slope

    roots = bracketed_roots(evaluate, lo, hi, np.sin(lo) - c, np.sin(hi) - c)
    assert np.all(np.abs(roots[:3] - np.arcsin(c[:3])) < TOLERANCE_S)
    assert np.isnan(roots[3])

