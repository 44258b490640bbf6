"""Sun outages of GEO links: when a station sees the Sun behind one of its satellites.

Twice a year, near the equinoxes, the Sun crosses the band of sky where a station sees the
geostationary satellites; for a few days, about local noon, it stands within the dish's
beam behind a satellite and floods the receiver. An outage here is a run of seconds in
which the angle, seen from the station, between the satellite and the Sun's centre is
under the station's half-angle (:class:`constops.antennas.GeoBeam`) and the satellite is
above the station's mask.

Three steps, each a bound on the next, so that no outage is missed and little is computed:

1. hourly samples of the day: the separation is at least the difference of the two
   declinations seen from the station (Earth-fixed z is the pole), which changes slowly
   (the Sun's by 0.4 degrees a day, a GEO satellite's by its inclination's diurnal swing);
   a satellite whose bound stays above the half-angle all day has no outage;
2. minute samples of the day for the others: the separation changes at most at the
   sampled rate of the Sun and the satellite across the sky (about 0.25 degrees a minute);
   the minutes that may dip below the half-angle are kept;
3. every whole second of those minutes (and one minute either side): the outage's first
   and last second, and the second of the least separation.

Positions: SGP4 in Earth-fixed axes (:mod:`constops.propagation`) and the Almanac's Sun
(:mod:`constops.sun`, 0.01 degrees), both seen from the station (parallax included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sgp4.api import SatrecArray

from .constants import SECONDS_PER_DAY, SECONDS_PER_HOUR
from .elements import ElementSet
from .keep_out import separation_deg
from .propagation import ecef_positions_km
from .sites import Station
from .sun import sun_position_ecef_km
from .timescale import TimeGrid, day_bounds, true_runs

#: The minute grid's step (s): the screen of step 2.
SCREEN_STEP_S = 60.0
#: Headroom on the rates sampled on a grid (the largest change between two samples).
_RATE_SAFETY = 1.5
#: Added to every sampled rate bound (deg per step), against a rate that samples miss.
_RATE_FLOOR_DEG = 0.01


@dataclass(frozen=True)
class SunOutage:
    """One outage of a satellite's link seen from a station, to the second (UTC)."""

    norad_cat_id: int
    #: The first second in outage, and the first second after it (exclusive); clipped to the day.
    start: datetime
    end: datetime
    #: The least separation of the Sun's centre from the satellite (deg), at the second ``worst_at``.
    min_separation_deg: float
    worst_at: datetime

    @property
    def duration_s(self) -> float:
        """Return the outage's length (s)."""
        return (self.end - self.start).total_seconds()


def sun_outages(element_sets: Sequence[ElementSet], station: Station, day: date,
                half_angle_deg: float) -> list[SunOutage]:
    """Return the sun outages over UTC ``day`` of each satellite of ``element_sets`` seen
    from ``station``: the runs of whole seconds in which the satellite is above the
    station's mask and the Sun's centre is less than ``half_angle_deg`` (deg) from it, in
    order of start then NORAD number. Satellites whose SGP4 propagation fails are left out
    from their first failure."""
    if not element_sets:
        return []
    start, _ = day_bounds(day)
    satrecs = [element_set.satrec() for element_set in element_sets]
    hourly = _Samples(satrecs, station, TimeGrid(start, SECONDS_PER_HOUR, 25))
    may = hourly.declination_bound_below(half_angle_deg)
    if not may.any():
        return []
    chosen = np.flatnonzero(may)
    minutes = _Samples([satrecs[i] for i in chosen], station,
                       TimeGrid(start, SCREEN_STEP_S, int(SECONDS_PER_DAY / SCREEN_STEP_S) + 1))
    outages = []
    for j, i in enumerate(chosen):
        for lo_s, hi_s in minutes.spans_below(j, half_angle_deg):
            outages.extend(_refined(satrecs[i], element_sets[i].norad_cat_id, station, start, lo_s, hi_s,
                                    half_angle_deg))
    return sorted(outages, key=lambda o: (o.start, o.norad_cat_id))


class _Samples:
    """Directions from a station to satellites and the Sun on a time grid: unit vectors,
    Earth-fixed, satellites (n_sats, n_times, 3) (NaN after an SGP4 failure), Sun (n_times, 3)."""

    def __init__(self, satrecs: list, station: Station, grid: TimeGrid):
        self.grid = grid
        jd, fraction = grid.julian()
        self.satellites = _unit(ecef_positions_km(SatrecArray(satrecs), jd, fraction)[0] - station.ecef_km)
        self.sun = _unit(sun_position_ecef_km(jd, fraction) - station.ecef_km)
        self.elevation_sine = self.satellites @ station.enu[2]
        self.min_sine = np.sin(np.radians(station.min_elevation_deg))

    def declination_bound_below(self, half_angle_deg: float) -> np.ndarray:
        """Return per satellite whether the separation may fall under ``half_angle_deg``
        in the grid's span: the difference of declinations (a lower bound of the
        separation), less how far it can move between two samples, goes under it."""
        with np.errstate(invalid="ignore"):
            gap = np.abs(np.degrees(np.arcsin(self.satellites[..., 2]) - np.arcsin(self.sun[:, 2])))
            step = _RATE_SAFETY * np.nanmax(np.abs(np.diff(gap, axis=1)), axis=1, initial=0.0) + _RATE_FLOOR_DEG
            dips = (gap[:, 1:] + gap[:, :-1]) / 2.0 - step[:, None] / 2.0
        return np.nan_to_num(dips, nan=np.inf).min(axis=1, initial=np.inf) < half_angle_deg

    def spans_below(self, sat: int, half_angle_deg: float) -> list[tuple[float, float]]:
        """Return the (first, last) offsets (s) of the runs of grid steps in which satellite
        ``sat``'s separation from the Sun may fall under ``half_angle_deg``, with one step
        either side (the mask is applied to the seconds)."""
        separation = separation_deg(self.satellites[sat], self.sun)
        moves = (separation_deg(self.sun[1:], self.sun[:-1])
                 + np.nan_to_num(separation_deg(self.satellites[sat, 1:], self.satellites[sat, :-1]), nan=0.0))
        step = _RATE_SAFETY * moves.max(initial=0.0) + _RATE_FLOOR_DEG
        with np.errstate(invalid="ignore"):
            dips = (separation[1:] + separation[:-1]) / 2.0 - step / 2.0 < half_angle_deg
        steps = np.flatnonzero(dips)
        if not len(steps):
            return []
        cuts = np.flatnonzero(np.diff(steps) > 1) + 1
        offsets = self.grid.offsets_s
        last = offsets[-1]
        return [(max(0.0, offsets[run[0]] - self.grid.step_s), min(last, offsets[run[-1] + 1] + self.grid.step_s))
                for run in np.split(steps, cuts)]


def _refined(satrec, norad_cat_id: int, station: Station, day_start: datetime, lo_s: float, hi_s: float,
             half_angle_deg: float) -> list[SunOutage]:
    """Return the outages of one satellite among the whole seconds of [lo_s, hi_s) after ``day_start``."""
    seconds = np.arange(int(lo_s), int(min(hi_s, SECONDS_PER_DAY)))
    samples = _Samples([satrec], station, TimeGrid(day_start + timedelta(seconds=int(lo_s)), 1.0, len(seconds)))
    separation = separation_deg(samples.satellites[0], samples.sun)
    with np.errstate(invalid="ignore"):
        inside = (separation < half_angle_deg) & (samples.elevation_sine[0] >= samples.min_sine)
    outages = []
    for first, stop in true_runs(inside):
        worst = first + int(np.argmin(separation[first:stop]))
        outages.append(SunOutage(
            norad_cat_id=int(norad_cat_id), start=day_start + timedelta(seconds=int(seconds[first])),
            end=day_start + timedelta(seconds=int(seconds[stop - 1]) + 1),
            min_separation_deg=float(separation[worst]), worst_at=day_start + timedelta(seconds=int(seconds[worst])),
        ))
    return outages


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Return ``vectors`` (..., 3) divided by their lengths."""
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)
