"""Satellites seen from one station: exact SGP4 elevation, its rate and look angles at any
instant of a time grid, for the root finders of the pass search and the visibility windows."""

from __future__ import annotations

import warnings

import numpy as np
from sgp4.api import SatrecArray

from .constants import WGS84_A_KM
from .geometry import elevation_sine_and_rate, look_angles, teme_to_ecef_state
from .propagation import propagated
from .sites import Station
from .timescale import TimeGrid

#: Headroom on the sampled bound of |d sin(el)/dt| (see ``StationTrack.samples``): speed and
#: geocentric radius of a near-circular orbit vary by far less between samples.
_RATE_BOUND_SAFETY = 1.2


class StationTrack:
    """Satellites as one station sees them, from exact SGP4 states at any offsets (s) from a
    time grid's start: the coarse samples and the instants that root finders ask for.

    The pass search (:mod:`constops.passes`) and the visibility windows
    (:mod:`constops.windows`) both sample and refine through it, so both see the same
    positions, the same Earth-fixed frame and the same end of a satellite's day at its
    first SGP4 failure."""

    def __init__(self, satrecs: list, station: Station, grid: TimeGrid):
        self.satrecs = satrecs
        self.station = station
        self.grid = grid
        #: Per satellite, the grid offset of its first SGP4 failure (inf: none), set by samples().
        self.valid_until_s = np.full(len(satrecs), np.inf)

    def samples(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (sin_elevation, sin_elevation_rate_per_s, swing) on the coarse grid.

        The first two have shape (n_sats, n_samples); NaN where SGP4 fails. ``swing``
        (n_sats, 1) bounds how much sin(el) can change over one grid step: its rate
        is |v| cos(el) / range <= |v| / (|r| - |station|), bounded from the samples.
        """
        jd, fraction = self.grid.julian()
        error, r_teme_km, v_teme_km_s = SatrecArray(self.satrecs).sgp4(jd, fraction)
        r_ecef_km, v_ecef_km_s = teme_to_ecef_state(r_teme_km, v_teme_km_s, jd, fraction)
        ok = propagated(error)
        # SGP4 can return error-free nonsense after a re-entry: a satellite ends at its first failure.
        self.valid_until_s = np.where(ok.all(axis=1), np.inf, self.grid.offsets_s[np.argmin(ok, axis=1)])
        r_ecef_km[~ok] = v_ecef_km_s[~ok] = np.nan
        sine, rate_per_s = elevation_sine_and_rate(r_ecef_km, v_ecef_km_s, self.station.ecef_km, self.station.enu[2])
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a satellite failing from the first sample: all NaN
            speed_km_s = np.sqrt(np.nanmax(np.einsum("stk,stk->st", v_ecef_km_s, v_ecef_km_s), axis=1, keepdims=True))
            radius_km = np.sqrt(np.nanmin(np.einsum("stk,stk->st", r_ecef_km, r_ecef_km), axis=1, keepdims=True))
        # range >= |r| - |station|, and a station is at most WGS84_A + 9 km from the
        # geocentre. The 100 km floor only guards the division: so low an orbit has decayed.
        closest_km = np.maximum(radius_km - (WGS84_A_KM + 9.0), 100.0)
        swing = _RATE_BOUND_SAFETY * self.grid.step_s * speed_km_s / closest_km
        return sine, rate_per_s, np.nan_to_num(swing, nan=np.inf)

    def sine_and_rate(self, sat: np.ndarray, offsets_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (sin_elevation, sin_elevation_rate_per_s) of satellites ``sat`` at ``offsets_s``."""
        r_ecef_km, v_ecef_km_s = self._states(sat, offsets_s)
        return elevation_sine_and_rate(r_ecef_km, v_ecef_km_s, self.station.ecef_km, self.station.enu[2])

    def look(self, sat: np.ndarray, offsets_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (elevation_deg, azimuth_deg) of satellites ``sat`` at ``offsets_s``."""
        r_ecef_km, _ = self._states(sat, offsets_s)
        elevation_deg, azimuth_deg, _ = look_angles(r_ecef_km, self.station.ecef_km, self.station.enu)
        return elevation_deg, azimuth_deg

    def _states(self, sat: np.ndarray, offsets_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return Earth-fixed (r_km, v_km_s), each (n, 3), of satellite ``sat[i]`` at
        ``offsets_s[i]``: one ``sgp4_array`` call per distinct satellite; NaN on SGP4 errors."""
        if len(sat) == 0:
            return np.empty((0, 3)), np.empty((0, 3))
        order = np.argsort(sat, kind="stable")
        sat_sorted = sat[order]
        jd, fraction = self.grid.julian_at(offsets_s[order])
        r_teme_km = np.empty((len(order), 3))
        v_teme_km_s = np.empty((len(order), 3))
        error = np.empty(len(order), dtype=np.uint8)
        cuts = (np.flatnonzero(np.diff(sat_sorted)) + 1).tolist()
        for lo, hi in zip([0, *cuts], [*cuts, len(order)]):
            error[lo:hi], r_teme_km[lo:hi], v_teme_km_s[lo:hi] = self.satrecs[sat_sorted[lo]].sgp4_array(
                jd[lo:hi], fraction[lo:hi])
        ended = offsets_s[order] >= self.valid_until_s[sat_sorted]  # after the satellite's first failure
        r_teme_km[(error != 0) | ended] = np.nan
        r_ecef_km, v_ecef_km_s = teme_to_ecef_state(r_teme_km, v_teme_km_s, jd, fraction)
        unsort = np.empty_like(order)
        unsort[order] = np.arange(len(order))
        return r_ecef_km[unsort], v_ecef_km_s[unsort]
