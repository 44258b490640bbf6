"""SGP4 propagation of many satellites at many instants, in Earth-fixed coordinates, and
the satellites whose propagation fails during a day (a re-entry), from which instant on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sgp4.api import SGP4_ERRORS, SatrecArray

from .elements import ElementSet
from .geometry import teme_to_ecef_km
from .screening import SCREEN_EVERY, may_fail
from .timescale import TimeGrid


def satrec_array(element_sets: Sequence[ElementSet]) -> SatrecArray:
    """Return a SatrecArray of the element sets, in the same order."""
    return SatrecArray([element_set.satrec() for element_set in element_sets])


def ecef_positions_km(satellites: SatrecArray, jd: np.ndarray, fraction: np.ndarray):
    """Return (r_ecef_km, ok): Earth-fixed positions (n_sats, n_times, 3) in km, and a
    boolean (n_sats, n_times) that is False from a satellite's first SGP4 error on (decayed
    orbit, eccentricity out of range; see :func:`propagated`); positions there are NaN.
    """
    error, r_teme_km, _ = satellites.sgp4(np.asarray(jd), np.asarray(fraction))
    ok = propagated(error)
    r_ecef_km = teme_to_ecef_km(r_teme_km, jd, fraction)
    r_ecef_km[~ok] = np.nan
    return r_ecef_km, ok


@dataclass(frozen=True)
class PropagationFailure:
    """A satellite whose SGP4 propagation fails during a day: from ``first_error_at`` on
    (to ``resolution_s``), its samples are missing from every result of the day."""

    norad_cat_id: int
    first_error_at: datetime
    error_code: int
    error_message: str
    percent_of_day_lost: float


def propagation_failures(
    element_sets: Sequence[ElementSet], start: datetime, end: datetime, step_s: float,
    screen_every: int | None = SCREEN_EVERY,
) -> list[PropagationFailure]:
    """Return the satellites whose SGP4 propagation reports an error (codes 1 to 6) at one
    of the instants ``start + k * step_s`` before ``end`` (the coverage engine's samples),
    with the first failing instant to 1 s and its code, in input order.

    Only the satellites that the coarse screen of :mod:`constops.screening` cannot clear
    (an error at a coarse sample, a radius within 200 km of the surface, an eccentric
    orbit) are propagated at every sample (``screen_every=None``: all of them). The first
    failing sample is bisected against the good sample before it. From that instant on
    the satellite is missing from every result of the day (:func:`propagated`), so
    ``percent_of_day_lost`` is the share of the day from there to ``end``.
    """
    if not element_sets:
        return []
    grid = TimeGrid.covering(start, end, step_s)
    offsets_s = grid.offsets_s
    jd, fraction = grid.julian()
    satrecs = [element_set.satrec() for element_set in element_sets]
    suspects = np.flatnonzero(may_fail(satrecs, jd, fraction, screen_every))
    failures = []
    span_s = (end - start).total_seconds()
    if not len(suspects):
        return failures
    error, _, _ = SatrecArray([satrecs[i] for i in suspects]).sgp4(jd, fraction)
    for j in np.flatnonzero((error != 0).any(axis=1)):
        i = suspects[j]
        k = int(np.argmax(error[j] != 0))
        lo_s = offsets_s[k - 1] if k else None
        at_s, code = _first_error_s(satrecs[i], grid, lo_s, float(offsets_s[k]), int(error[j, k]))
        failures.append(PropagationFailure(
            element_sets[i].norad_cat_id, start + timedelta(seconds=at_s), code,
            SGP4_ERRORS.get(code, "unknown SGP4 error"), float(100.0 * (span_s - at_s) / span_s)))
    return failures


def _first_error_s(satrec, grid: TimeGrid, lo_s: float | None, hi_s: float, code: int) -> tuple[float, int]:
    """Return (offset s from the grid's start, code) of the first failing instant in
    (lo_s, hi_s], to 1 s, by bisection."""
    if lo_s is None:
        return hi_s, code
    while hi_s - lo_s > 1.0:
        mid_s = 0.5 * (lo_s + hi_s)
        jd, fraction = grid.julian_at(mid_s)
        mid_error, _, _ = satrec.sgp4(float(jd), float(fraction))
        if mid_error:
            hi_s, code = mid_s, int(mid_error)
        else:
            lo_s = mid_s
    return float(np.ceil(hi_s)), code


def propagated(error: np.ndarray) -> np.ndarray:
    """Return a boolean (n_sats, n_times), True where a satellite's samples are usable: SGP4
    reported no error at that sample or at any sample before it. After a re-entry SGP4 can
    return error-free positions again (its drag polynomial keeps running), which are
    nonsense: a satellite's day ends at its first failure."""
    return np.logical_and.accumulate(np.asarray(error) == 0, axis=-1)
