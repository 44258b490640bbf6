"""The parts of each pass an antenna may track, and the parts lost to each keep-out.

Every pass of the day is sampled once a second, on whole seconds of the day (SGP4, the same
Earth-fixed frame as the pass search). A second is usable when the satellite is at or above
the antenna's mask and outside every keep-out: farther than ``gso_separation_deg`` from the
GSO arc and ``sun_separation_deg`` from the Sun, and not in the zenith keyhole (above
``keyhole_elevation_deg``, or where following it needs more azimuth rate than the mount
has). A run of usable seconds long enough for a contact is a :class:`UsableInterval`; a run
of seconds above the mask excluded by one cause is a :class:`KeepOut` of that cause (the
causes can overlap). Intervals hold to the second and lie within the day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from .antennas import AntennaSpec
from .constants import SECONDS_PER_DAY
from .elements import ElementSet
from .geometry import look_angles, teme_to_ecef_km
from .keep_out import gso_separation_deg, separation_deg
from .passes import Pass
from .propagation import propagated
from .sites import Station
from .sun import sun_direction_ecef
from .timescale import TimeGrid, true_runs


@dataclass(frozen=True)
class UsableInterval:
    """A run of whole seconds ``[start_s, end_s]`` of the day (s from its start) in which an
    antenna may track satellite ``norad_cat_id`` of its pass ``pass_aos``/``pass_tca``, with
    the look angles (deg) of every second of it (``end_s - start_s + 1`` values)."""

    constellation_id: str
    norad_cat_id: int
    pass_aos: datetime
    pass_tca: datetime
    start_s: int
    end_s: int
    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray

    @property
    def duration_s(self) -> int:
        """Return the interval's length, s."""
        return self.end_s - self.start_s

    def look_at(self, second: int) -> tuple[float, float]:
        """Return (azimuth_deg, elevation_deg) at whole second ``second`` of the interval."""
        index = int(second) - self.start_s
        return float(self.azimuth_deg[index]), float(self.elevation_deg[index])


@dataclass(frozen=True)
class KeepOut:
    """Seconds ``[start_s, end_s)`` of the day in which satellite ``norad_cat_id`` was above
    the antenna's mask but excluded by ``cause`` (one of ``keep_out.CAUSES``)."""

    constellation_id: str
    norad_cat_id: int
    start_s: int
    end_s: int
    cause: str


def usable_intervals(
    passes_of: Mapping[str, Sequence[Pass]], element_sets_of: Mapping[str, Sequence[ElementSet]],
    station: Station, spec: AntennaSpec, day_start: datetime, min_contact_s: int,
) -> tuple[list[UsableInterval], list[KeepOut]]:
    """Return (usable intervals of at least ``min_contact_s`` s, keep-out intervals) of the
    day starting at ``day_start`` for ``station``'s antennas ``spec``: per constellation id,
    its ``passes`` over the station and the ``element_sets`` they were found from. Both
    lists are in time order."""
    grid = TimeGrid(day_start, 1.0, int(SECONDS_PER_DAY) + 1)
    sun_ecef = sun_direction_ecef(*grid.julian())
    usable, keep_outs = [], []
    for constellation_id, passes in passes_of.items():
        satrecs = {}  # one SGP4 record per satellite, however many passes it has
        by_norad = {e.norad_cat_id: e for e in element_sets_of[constellation_id]}
        for p in passes:
            if p.continuous:
                continue  # in view all day (GEO): not a pass to hand over between
            if p.norad_cat_id not in satrecs:
                satrecs[p.norad_cat_id] = by_norad[p.norad_cat_id].satrec()
            u, k = _pass_intervals(constellation_id, p, satrecs[p.norad_cat_id], station, spec, grid, sun_ecef,
                                   min_contact_s)
            usable += u
            keep_outs += k
    usable.sort(key=lambda i: (i.start_s, i.norad_cat_id))
    keep_outs.sort(key=lambda k: (k.start_s, k.norad_cat_id, k.cause))
    return usable, keep_outs


def _pass_intervals(constellation_id, p: Pass, satrec, station: Station, spec: AntennaSpec,
                    grid: TimeGrid, sun_ecef: np.ndarray, min_contact_s: int):
    """Return (usable intervals, keep-outs) of one pass, sampled on the day's whole seconds."""
    first = max(int(np.ceil((p.aos - grid.start).total_seconds())), 0)
    last = min(int(np.floor((p.los - grid.start).total_seconds())), grid.count - 1)
    if last - first < 1:
        return [], []
    seconds = np.arange(first, last + 1)
    jd, fraction = grid.julian_at(seconds)
    error, r_teme_km, _ = satrec.sgp4_array(jd, fraction)
    ok = propagated(error[None, :])[0]
    r_ecef_km = teme_to_ecef_km(r_teme_km, jd, fraction)
    elevation_deg, azimuth_deg, range_km = look_angles(r_ecef_km, station.ecef_km, station.enu)
    los = (r_ecef_km - station.ecef_km) / range_km[:, None]
    above = ok & (elevation_deg >= spec.min_elevation_deg)
    causes = {
        "gso_arc": gso_separation_deg(station.ecef_km, los, spec.gso_separation_deg) < spec.gso_separation_deg,
        "sun": separation_deg(los, sun_ecef[seconds]) < spec.sun_separation_deg,
        "keyhole": (elevation_deg > spec.keyhole_elevation_deg) | (_azimuth_rate_deg_s(azimuth_deg) > spec.slew_rate_az_deg_s),
    }
    keep_outs = [
        KeepOut(constellation_id, p.norad_cat_id, int(seconds[a]), int(seconds[b - 1]) + 1, cause)
        for cause, excluded in causes.items() for a, b in true_runs(above & excluded)
    ]
    free = above & ~np.logical_or.reduce(list(causes.values()))
    usable = [
        UsableInterval(constellation_id, p.norad_cat_id, p.aos, p.tca, int(seconds[a]), int(seconds[b - 1]),
                       azimuth_deg[a:b].copy(), elevation_deg[a:b].copy())
        for a, b in true_runs(free) if seconds[b - 1] - seconds[a] >= min_contact_s
    ]
    return usable, keep_outs


def _azimuth_rate_deg_s(azimuth_deg: np.ndarray) -> np.ndarray:
    """Return |d azimuth / dt| (deg/s) of once-a-second samples, the larger of the two
    neighbouring steps (taken the shorter way round)."""
    step = np.abs((np.diff(azimuth_deg) + 180.0) % 360.0 - 180.0)
    padded = np.concatenate([[0.0], step, [0.0]])
    return np.maximum(padded[:-1], padded[1:])

