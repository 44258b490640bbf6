"""Roots of many scalar functions at once, each inside its own bracket.

Contract of :func:`bracketed_roots`: given brackets ``[lo, hi]`` where ``f(lo)`` and
``f(hi)`` have strictly opposite signs (a zero at a bracket's end is not looked for: the
caller's samples are never exactly on a root), it returns for every bracket an
``x`` in ``[lo, hi]`` where the last step or the bracket was narrower than ``TOLERANCE_S``
(Newton and the secant converge much closer; a root of ``f`` lies within the bracket), or
NaN where ``f`` stops being finite (an SGP4 failure). After ``MAX_ITERATIONS`` the current
iterate is returned, still inside its bracket (only pathological input gets there). Every iteration evaluates all
pending brackets in one call, so the caller's overhead is per iteration, not per root.
Steps are Newton's where the slope is given, the secant's where it is NaN, and a
bisection whenever either would leave the shrinking bracket: convergence is never lost.
Used by :mod:`constops.passes` for AOS, LOS (roots of sin(el) - sin(mask)) and TCA
(roots of the elevation rate); the unit is seconds, but nothing else depends on it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Roots are refined until the last correction is below this. Newton converges
#: quadratically and the secant method superlinearly, so the accepted root is much
#: closer than this; 1e-4 s is ~0.7 m along track and ~1e-5 degree of elevation.
TOLERANCE_S = 1e-4
#: Bisection alone would halve a 180 s bracket to 1e-4 s in 21 steps; Newton and
#: secant steps need 3 to 6. This cap is only reached by pathological input.
MAX_ITERATIONS = 60


def bracketed_roots(
    evaluate: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    lo_s: np.ndarray, hi_s: np.ndarray, f_lo: np.ndarray, f_hi: np.ndarray,
) -> np.ndarray:
    """Return one root (offset, s) of f inside each bracket [lo_s, hi_s], where f_lo and
    f_hi have opposite signs; NaN where f turns NaN (SGP4 failure).

    ``evaluate(indices, offsets_s)`` returns (f, slope) of brackets ``indices`` at
    ``offsets_s``; where the slope is NaN the secant through the previous iterate is used.
    Each step is Newton's (or the secant's) when it stays strictly inside the
    shrinking bracket and a bisection otherwise, so every root converges.
    """
    lo, hi = np.array(lo_s, dtype=float), np.array(hi_s, dtype=float)
    f_lo, f_hi = np.array(f_lo, dtype=float), np.array(f_hi, dtype=float)
    # Start from the chord (regula falsi); the bracket's lower end is the first
    # "previous iterate" of the secant method.
    x = lo - f_lo * (hi - lo) / (f_hi - f_lo)
    x = np.where(np.isfinite(x) & (x > lo) & (x < hi), x, 0.5 * (lo + hi))
    x_prev, f_prev = lo.copy(), f_lo.copy()
    active = np.flatnonzero(np.isfinite(x))
    for _ in range(MAX_ITERATIONS):
        if active.size == 0:
            break
        xa = x[active]
        f, slope = evaluate(active, xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = (f - f_prev[active]) / (xa - x_prev[active])
        slope = np.where(np.isnan(slope), secant, slope)
        same_as_lo = np.signbit(f) == np.signbit(f_lo[active])
        lo[active] = np.where(same_as_lo, xa, lo[active])
        f_lo[active] = np.where(same_as_lo, f, f_lo[active])
        hi[active] = np.where(same_as_lo, hi[active], xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(f == 0.0, 0.0, f / slope)
        new = xa - step
        inside = (new > lo[active]) & (new < hi[active])
        new = np.where(inside | (f == 0.0), new, 0.5 * (lo[active] + hi[active]))
        x_prev[active], f_prev[active] = xa, f
        x[active] = new
        failed = ~np.isfinite(f)
        x[active[failed]] = np.nan
        done = failed | (np.abs(new - xa) < TOLERANCE_S) | (hi[active] - lo[active] < TOLERANCE_S)
        active = active[~done]
    return x
