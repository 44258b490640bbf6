"""SGP4 propagation of many satellites at many instants, in Earth-fixed coordinates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sgp4.api import SatrecArray

from .elements import ElementSet
from .geometry import teme_to_ecef_km


def satrec_array(element_sets: Sequence[ElementSet]) -> SatrecArray:
    """Return a SatrecArray of the element sets, in the same order."""
    return SatrecArray([element_set.satrec() for element_set in element_sets])


def ecef_positions_km(satellites: SatrecArray, jd: np.ndarray, fraction: np.ndarray):
    """Return (r_ecef_km, ok): Earth-fixed positions (n_sats, n_times, 3) in km, and a
    boolean (n_sats, n_times) that is False where SGP4 reported an error (decayed orbit,
    eccentricity out of range); positions there are NaN.
    """
    error, r_teme_km, _ = satellites.sgp4(np.asarray(jd), np.asarray(fraction))
    ok = error == 0
    r_ecef_km = teme_to_ecef_km(r_teme_km, jd, fraction)
    r_ecef_km[~ok] = np.nan
    return r_ecef_km, ok
