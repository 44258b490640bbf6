"""The coverage kernel's fast arccosine: its error bound, and run ends equal to libm's.

The kernel's counts themselves are tested against a dense elevation test and against
Skyfield in test_coverage.py; here only what makes them independent of the approximation.
"""

import math

import numba
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from constops.row_runs import ACOS_GUARD_RAD, _acos_fast, _run_ends

N_COLS = 164
COLS_PER_RAD = math.degrees(1.0) / 0.25  # 0.25 deg cells


@numba.njit
def _acos_fast_all(x):
    out = np.empty_like(x)
    for i in range(len(x)):
        out[i] = _acos_fast(x[i])
    return out


def test_the_fast_arccosine_is_within_a_quarter_of_the_guard_everywhere():
    x = np.linspace(-1.0, 1.0, 4_000_001)
    error_rad = np.abs(_acos_fast_all(x) - np.arccos(x)).max()
    assert error_rad < ACOS_GUARD_RAD / 4, error_rad  # A&S 4.4.46 promises 2e-8 rad


def _exact_ends(centre, c_min):
    half_width = math.acos(c_min) * COLS_PER_RAD
    return max(0, math.ceil(centre - half_width)), min(N_COLS - 1, math.floor(centre + half_width))


@settings(max_examples=3000, deadline=None)
@given(centre=st.floats(-80.0, 240.0), c_min=st.floats(-0.999999, 1.0))
def test_run_ends_equal_those_of_libm_acos(centre, c_min):
    assert _run_ends(centre, c_min, COLS_PER_RAD, ACOS_GUARD_RAD * COLS_PER_RAD, N_COLS) == _exact_ends(centre, c_min)


def test_run_ends_at_a_column_boundary_are_decided_by_libm():
    # Runs whose end falls within 1e-9 column of a boundary, where the fast arccosine alone could err.
    rng = np.random.default_rng(7)
    for c_min in rng.uniform(0.5, 0.99, 2000):
        half_width = math.acos(c_min) * COLS_PER_RAD
        centre = 100.0 - half_width + rng.choice([-1e-9, 0.0, 1e-9])
        assert _run_ends(centre, c_min, COLS_PER_RAD, ACOS_GUARD_RAD * COLS_PER_RAD, N_COLS) == _exact_ends(centre, c_min)
