"""Screening: which samples of a day can matter, found from a coarse SGP4 pass before the
exact computation, so that a satellite is propagated finely only where it may see a target.

A LEO satellite sees Kazakhstan for a few minutes per orbit: most of its samples are far
from the region and cannot change any count. The screen propagates every satellite at
every ``every``-th sample (plus the last), and keeps the fine samples of the coarse
intervals in which the satellite may come within reach of the target. The test is
conservative, so the exact computation over the kept samples gives the same result as
over all of them:

* Between two coarse samples the direction of the satellite (Earth-fixed) turns at most
  ``omega`` rad/s, the largest rate seen at the satellite's coarse samples with 20%
  headroom; so at a fine sample t_0 + u of the interval [t_0, t_1] its angle from the
  target's centre is at least max(theta_0 - omega u, theta_1 - omega (t_1 - t_0 - u)),
  theta_0 and theta_1 being the angles at the interval's ends. A fine sample is kept
  where that bound is within reach.
* The reach (the largest angle from the centre at which the satellite can still be above
  the lowest mask for some point of the target) is taken at the highest radius the orbit
  can have: the coarse maximum or the apogee of the mean elements, whichever is higher,
  plus 2%.

SGP4's errors must be found at every sample (a satellite's day ends at its first error,
see ``propagation.propagated``), and a screen cannot see an error between two coarse
samples. A satellite is therefore propagated at every sample (``full``) when its coarse
pass reports an error, comes within ``CLEARANCE_KM`` of the Earth's surface (SGP4's error
6: radius below one Earth radius), or is eccentric beyond ``MAX_SCREENED_ECCENTRICITY``
(its radius changes fast between coarse samples). Errors 1 to 4 depend on SGP4's secular
elements, low-degree polynomials in time, which do not leave their range and come back
within one coarse interval (four minutes at the default 30 s step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sgp4.api import Satrec, SatrecArray

from .constants import SECONDS_PER_DAY, WGS72_RADIUS_KM
from .geometry import teme_to_ecef_state

#: Fine samples per coarse interval of the screen (8 x 30 s: 4 minutes).
SCREEN_EVERY = 8
#: Headroom on the largest angular rate seen at the coarse samples.
_RATE_SAFETY = 1.2
#: Headroom on the highest radius of the orbit.
_RADIUS_SAFETY = 1.02
#: A satellite closer than this to the surface at a coarse sample is propagated at every sample.
CLEARANCE_KM = 200.0
#: A satellite more eccentric than this is propagated at every sample.
MAX_SCREENED_ECCENTRICITY = 0.1
#: Below the WGS84 polar radius (6356.75 km): the conservative horizon of every reach.
_SURFACE_MIN_KM = 6356.0
#: Satellites propagated at once by :func:`may_fail`.
_CHUNK = 512


@dataclass(frozen=True)
class Target:
    """What the satellites must be able to see: every point within ``radius_rad`` of the
    unit vector ``centre_unit`` (Earth-fixed), above ``min_mask_deg``."""

    centre_unit: np.ndarray
    radius_rad: float
    min_mask_deg: float

    def reach_cos(self, r_km):
        """Return the cosine of the largest angle between the centre and a satellite at
        geocentric distance ``r_km`` that can still be above the mask for a point of the
        target (1 deg of margin); the angle is capped at pi."""
        eps = np.radians(self.min_mask_deg)
        lam = np.arccos(np.clip(_SURFACE_MIN_KM * np.cos(eps) / np.asarray(r_km), -1, 1)) - eps
        return np.cos(np.minimum(lam + self.radius_rad + np.radians(1.0), np.pi))


@dataclass(frozen=True)
class Screen:
    """The fine samples worth computing for each satellite of a screened list."""

    #: per satellite, the sorted indices of the fine samples that may see the target
    samples: list[np.ndarray]
    #: True for the satellites propagated at every sample (errors, low or eccentric orbits)
    full: np.ndarray

    @property
    def kept(self) -> int:
        """Return the number of (satellite, sample) pairs kept."""
        return sum(len(s) for s in self.samples)


def screen(satrecs: Sequence[Satrec], jd: np.ndarray, fraction: np.ndarray, target: Target,
           every: int | None = SCREEN_EVERY) -> Screen:
    """Return the fine samples (of the instants ``jd + fraction``) at which each of
    ``satrecs`` may see ``target``; every sample for all of them when ``every`` is None
    or the grid is too short to screen."""
    n_times = len(jd)
    coarse = _coarse_samples(n_times, every)
    if coarse is None or not len(satrecs):
        return Screen([np.arange(n_times)] * len(satrecs), np.ones(len(satrecs), dtype=bool))
    error, r_teme_km, v_teme_km_s = SatrecArray(list(satrecs)).sgp4(jd[coarse], fraction[coarse])
    r_km, v_km_s = teme_to_ecef_state(r_teme_km, v_teme_km_s, jd[coarse], fraction[coarse])
    norm_km = np.linalg.norm(r_km, axis=-1)
    full = _may_fail(satrecs, error, norm_km)
    with np.errstate(invalid="ignore"):
        theta = np.arccos(np.clip((r_km @ target.centre_unit) / norm_km, -1.0, 1.0))
        omega_rad_s = _RATE_SAFETY * np.nanmax(
            np.linalg.norm(np.cross(r_km, v_km_s), axis=-1) / norm_km**2, axis=1, initial=0.0)
    apogee_km = np.array([s.a * (1.0 + s.ecco) for s in satrecs]) * WGS72_RADIUS_KM
    highest_km = _RADIUS_SAFETY * np.maximum(np.nanmax(norm_km, axis=1, initial=0.0), apogee_km)
    reach_rad = np.arccos(target.reach_cos(highest_km))
    from .reach import within_reach  # Numba's import costs about 1 s: only where a screen runs

    kept = within_reach(coarse, theta, omega_rad_s, reach_rad, (jd - jd[0] + fraction - fraction[0]) * SECONDS_PER_DAY, full)
    return Screen([np.flatnonzero(row) for row in kept], full)


def may_fail(satrecs: Sequence[Satrec], jd: np.ndarray, fraction: np.ndarray,
             every: int | None = SCREEN_EVERY) -> np.ndarray:
    """Return a boolean per satellite: False where a coarse pass (every ``every``-th of the
    instants ``jd + fraction``) rules out an SGP4 error at every instant; True for all of
    them when ``every`` is None or the grid is too short to screen."""
    coarse = _coarse_samples(len(jd), every)
    if coarse is None or not len(satrecs):
        return np.ones(len(satrecs), dtype=bool)
    verdicts = []
    for lo in range(0, len(satrecs), _CHUNK):  # chunks that stay in the cache: twice as fast
        part = list(satrecs[lo:lo + _CHUNK])
        error, r_teme_km, _ = SatrecArray(part).sgp4(jd[coarse], fraction[coarse])
        verdicts.append(_may_fail(part, error, np.sqrt(np.einsum("...i,...i->...", r_teme_km, r_teme_km))))
    return np.concatenate(verdicts)


def _coarse_samples(n_times: int, every: int | None) -> np.ndarray | None:
    """Return the indices of the coarse samples (every ``every``-th and the last), or None
    when there is nothing to gain from screening."""
    if every is None or every < 2 or n_times <= 2 * every:
        return None
    return np.unique(np.append(np.arange(0, n_times, every), n_times - 1))


def _may_fail(satrecs: Sequence[Satrec], error: np.ndarray, norm_km: np.ndarray) -> np.ndarray:
    """Return True for the satellites that must be propagated at every sample: an error or
    a non-finite radius at a coarse sample, a radius within ``CLEARANCE_KM`` of the
    surface, or an eccentricity above ``MAX_SCREENED_ECCENTRICITY``."""
    full = (error != 0).any(axis=1) | ~np.isfinite(norm_km).all(axis=1)
    with np.errstate(invalid="ignore"):
        full |= np.nanmin(norm_km, axis=1, initial=np.inf) < WGS72_RADIUS_KM + CLEARANCE_KM
    return full | (np.array([s.ecco for s in satrecs]) > MAX_SCREENED_ECCENTRICITY)
