"""Which fine samples of a day lie within reach of a screening target, from the angles at
the coarse samples and a bound on the angular rate (see :mod:`constops.screening`).

A Numba loop: per satellite and coarse interval, the interval's own bound rules most
intervals out at once, and the bound per fine sample decides in the rest; as NumPy arrays
over every (satellite, sample) it cost 0.82 s and 140 MB in a 5,000-satellite shard, as a
loop 20 ms (docs/profile.md).
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def within_reach(coarse, theta_rad, omega_rad_s, reach_rad, t_s, full):
    """Return a boolean (n_sats, n_times): True at the fine samples (times ``t_s``, s) whose
    lower bound on the angle from the target's centre, from the angles ``theta_rad`` at the
    ``coarse`` samples (n_sats, n_coarse) and the rates ``omega_rad_s`` (n_sats,), is within
    ``reach_rad`` (n_sats,); True also between coarse samples whose angle is NaN (an SGP4
    error), and everywhere for the satellites marked ``full``."""
    n_sats, n_times = theta_rad.shape[0], len(t_s)
    kept = np.zeros((n_sats, n_times), dtype=np.bool_)
    for i in range(n_sats):
        if full[i]:
            kept[i, :] = True
            continue
        omega, reach = omega_rad_s[i], reach_rad[i]
        for j in range(len(coarse) - 1):
            c0, c1 = coarse[j], coarse[j + 1]
            theta0, theta1 = theta_rad[i, j], theta_rad[i, j + 1]
            if math.isnan(theta0) or math.isnan(theta1):
                kept[i, c0:c1 + 1] = True
            elif 0.5 * (theta0 + theta1 - omega * (t_s[c1] - t_s[c0])) <= reach:  # the interval's bound
                for k in range(c0, c1 + 1):
                    if max(theta0 - omega * (t_s[k] - t_s[c0]), theta1 - omega * (t_s[c1] - t_s[k])) <= reach:
                        kept[i, k] = True
    return kept
