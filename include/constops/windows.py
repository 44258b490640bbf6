"""Continuous visibility windows: satellites above a station's mask for a whole query window.

Why this is separate from :func:`constops.passes.find_passes`: a pass is the time from a
rise (AOS) to a set (LOS). A geostationary satellite (KazSat-2 from Akkol, ~28 degrees
up all day) never rises or sets, so ``find_passes`` rightly returns nothing for it. Cutting
its day into artificial passes at sample or day boundaries would report thousands of
passes, or one per day with a made-up AOS and LOS; reporting none would say the station
never sees it. Both would be wrong. It is reported here instead, as one window per query
window with its elevation and azimuth and how far they drift.

Contract of :func:`continuous_windows`:

- Continuous means above the mask at every instant of [start, end]: above it at every
  sample (every ``step_s`` seconds or less, both ends included) and at every elevation
  minimum between samples. Satellites that cross the mask are left to ``find_passes``.
- Sampling is exact SGP4 (``SatrecArray``, through :class:`constops.track.StationTrack`, so
  frames, time scale and the handling of SGP4 failures are the pass search's). A
  satellite whose propagation fails (SGP4 error or NaN) at any sample has no window.
- Every interior elevation extremum (the elevation rate changes sign between two
  samples) is refined to the root of the rate by :func:`constops.roots.bracketed_roots`,
  to ``roots.TOLERANCE_S``. This includes every minimum that passes.py's per-step swing
  bound would flag as possibly dipping below the mask, so a dip between samples is never
  missed, and the lowest and highest elevations are exact SGP4 values, not sampled ones.
  Extrema are hours apart for a GEO satellite and ~50 minutes for a LEO one, so a
  step of minutes holds at most one and its rate sign change cannot be missed.
- The azimuth range is the shortest arc holding every sampled azimuth
  (:func:`azimuth_arc`), so a drift across north is 20 degrees from 350 to 10, not 340
  from 10 to 350. Between two 60 s samples a GEO satellite's azimuth moves by ~1e-5
  degree, so the sampled range is the true one to far better than 0.01 degree.
- Accuracy: against Skyfield, elevations and azimuths agree to ~2e-4 degree for the
  KazSat satellites at Akkol (UT1 is taken as UTC, see :mod:`constops.geometry`). The
  TCA is ill-conditioned for a station-kept GEO satellite, whose elevation changes by
  ~1e-6 degree within a minute of its maximum: it agrees to tens of seconds only, while
  the maximum elevation agrees to ~3e-5 degree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from .elements import ElementSet
from .geometry import look_angles
from .passes import Pass
from .propagation import ecef_positions_km, satrec_array
from .roots import bracketed_roots
from .sites import Station
from .timescale import TimeGrid, as_utc, julian
from .track import StationTrack

#: Sample spacing in seconds. Any spacing well under the hours between a GEO satellite's
#: elevation extrema (and the ~50 minutes of a LEO one) gives the same windows; it only
#: sets how densely the azimuth range is sampled.
DEFAULT_STEP_S = 60.0


@dataclass(frozen=True)
class Window:
    """A satellite above ``min_elevation_deg`` during the whole query window [start, end] (UTC).

    ``tca`` is the instant of the highest elevation (an end of the window if the elevation
    peaks there). ``azimuth_min_deg`` and ``azimuth_max_deg`` bound the shortest arc, going
    clockwise from min to max, that holds every sampled azimuth: min > max when the arc
    crosses north.
    """

    norad_cat_id: int
    start: datetime
    end: datetime
    tca: datetime
    max_elevation_deg: float
    lowest_elevation_deg: float
    start_azimuth_deg: float
    tca_azimuth_deg: float
    end_azimuth_deg: float
    azimuth_min_deg: float
    azimuth_max_deg: float
    min_elevation_deg: float

    @property
    def duration_s(self) -> float:
        """Return the length of the window, in seconds."""
        return (self.end - self.start).total_seconds()

    @property
    def elevation_drift_deg(self) -> float:
        """Return the highest minus the lowest elevation over the window, in degrees."""
        return self.max_elevation_deg - self.lowest_elevation_deg

    @property
    def azimuth_drift_deg(self) -> float:
        """Return the width of the azimuth arc from ``azimuth_min_deg`` clockwise to
        ``azimuth_max_deg``, in degrees, in [0, 360)."""
        return (self.azimuth_max_deg - self.azimuth_min_deg) % 360.0


    def as_pass(self) -> Pass:
        """Return the window as the ``continuous`` Pass record a day's pass schedule holds."""
        return Pass(
            norad_cat_id=self.norad_cat_id, aos=self.start, tca=self.tca, los=self.end,
            max_elevation_deg=self.max_elevation_deg, min_elevation_deg=self.min_elevation_deg,
            aos_azimuth_deg=self.start_azimuth_deg, tca_azimuth_deg=self.tca_azimuth_deg,
            los_azimuth_deg=self.end_azimuth_deg, continuous=True, lowest_elevation_deg=self.lowest_elevation_deg,
            azimuth_min_deg=self.azimuth_min_deg, azimuth_max_deg=self.azimuth_max_deg,
        )


def continuous_windows(
    element_sets: Sequence[ElementSet],
    station: Station,
    start: datetime,
    end: datetime,
    min_elevation_deg: float,
    step_s: float = DEFAULT_STEP_S,
) -> list[Window]:
    """Return one :class:`Window` per satellite above ``min_elevation_deg`` (degrees) at
    every instant of [start, end], sorted by NORAD id.

    Samples are spaced by ``step_s`` seconds or slightly less, so that both ends are
    samples. Satellites that cross the mask, or whose SGP4 propagation fails at a
    sample, have no window (see the module docstring).
    """
    start, end = as_utc(start), as_utc(end)
    grid = _closed_grid(start, end, step_s)
    if not element_sets or grid is None:
        return []
    track = StationTrack([element_set.satrec() for element_set in element_sets], station, grid)
    sine, rate_per_s, _ = track.samples()
    with np.errstate(invalid="ignore"):
        above = np.isfinite(rate_per_s).all(axis=1) & (sine > np.sin(np.radians(min_elevation_deg))).all(axis=1)
    keys = _key_instants(track, np.flatnonzero(above), rate_per_s)
    lowest_deg, tca_index = _lowest_and_highest(keys, len(element_sets))
    kept = np.flatnonzero(above & (lowest_deg > min_elevation_deg) & (tca_index >= 0))
    _, sampled_azimuth_deg = track.look(np.repeat(kept, grid.count), np.tile(grid.offsets_s, len(kept)))
    sampled_azimuth_deg = sampled_azimuth_deg.reshape(len(kept), grid.count)
    windows = [
        _window(element_sets[s].norad_cat_id, (start, end), keys.at(tca_index[s], grid, end), float(lowest_deg[s]),
                sampled_azimuth_deg[i], min_elevation_deg)
        for i, s in enumerate(kept.tolist())
    ]
    return sorted(windows, key=lambda w: w.norad_cat_id)


def look_angles_at(
    element_sets: Sequence[ElementSet], station: Station, instants: Sequence[datetime]
) -> tuple[np.ndarray, np.ndarray]:
    """Return (elevation_deg, azimuth_deg), each of shape (n_sats, n_instants): exact SGP4
    look angles from ``station`` at ``instants`` (in increasing order), in degrees, in the
    frames the windows are computed in; NaN from a satellite's first SGP4 failure on.

    The tests check the windows' drift against Skyfield with it; no page plots it yet.
    """
    jd_fraction = np.array([julian(moment) for moment in instants], dtype=float).reshape(-1, 2)
    jd, fraction = np.ascontiguousarray(jd_fraction[:, 0]), np.ascontiguousarray(jd_fraction[:, 1])
    r_ecef_km, _ = ecef_positions_km(satrec_array(element_sets), jd, fraction)
    elevation_deg, azimuth_deg, _ = look_angles(r_ecef_km, station.ecef_km, station.enu)
    return elevation_deg, azimuth_deg


def azimuth_arc(azimuths_deg) -> tuple[float, float]:
    """Return (min_deg, max_deg): the ends of the shortest arc, clockwise from min to max,
    that holds every azimuth in ``azimuths_deg`` (degrees, any real values).

    The arc is the circle minus the largest gap between neighbouring azimuths, so
    azimuths 350 and 10 give (350, 10), a 20-degree arc across north. Equal azimuths
    give a zero-width arc.
    """
    ordered = np.sort(np.asarray(azimuths_deg, dtype=float).ravel() % 360.0)
    gaps_deg = np.diff(ordered, append=ordered[0] + 360.0)
    widest = int(np.argmax(gaps_deg))
    return float(ordered[(widest + 1) % len(ordered)]), float(ordered[widest])


def _closed_grid(start: datetime, end: datetime, step_s: float) -> TimeGrid | None:
    """Return the evenly spaced grid from ``start`` to ``end`` inclusive with steps of at
    most ``step_s`` seconds, or None when the window is empty."""
    span_s = (end - start).total_seconds()
    if span_s <= 0.0:
        return None
    steps = max(1, int(np.ceil(span_s / step_s - 1e-9)))
    return TimeGrid(start, span_s / steps, steps + 1)


@dataclass(frozen=True)
class _KeyInstants:
    """Instants where a satellite's lowest or highest elevation may lie: both ends of the
    grid and every refined interior extremum. ``sat`` indexes the element sets,
    ``offset_s`` is in seconds from the grid start (NaN: refinement met an SGP4 failure),
    angles are in degrees (NaN there too)."""

    sat: np.ndarray
    offset_s: np.ndarray
    elevation_deg: np.ndarray
    azimuth_deg: np.ndarray

    def at(self, j: int, grid: TimeGrid, end: datetime) -> tuple[datetime, float, float]:
        """Return (instant UTC, elevation_deg, azimuth_deg) of key instant ``j``; the
        grid's last sample is ``end`` exactly, not to float rounding."""
        last_s = (grid.count - 1) * grid.step_s
        moment = end if self.offset_s[j] >= last_s else grid.instant(self.offset_s[j])
        return moment, float(self.elevation_deg[j]), float(self.azimuth_deg[j])


def _key_instants(track: StationTrack, rows: np.ndarray, rate_per_s: np.ndarray) -> _KeyInstants:
    """Return the :class:`_KeyInstants` of satellites ``rows``: the grid ends, and the
    roots of the elevation rate in every grid interval where it changes sign."""
    step_s, last = track.grid.step_s, track.grid.count - 1
    r0, r1 = rate_per_s[rows, :-1], rate_per_s[rows, 1:]
    i, k = np.nonzero(((r0 > 0) & (r1 <= 0)) | ((r0 < 0) & (r1 >= 0)))
    e_sat = rows[i]
    e_offset_s = _rate_roots(track, e_sat, k * step_s, (k + 1) * step_s, r0[i, k], r1[i, k])
    sat = np.concatenate([rows, rows, e_sat])
    offset_s = np.concatenate([np.zeros(len(rows)), np.full(len(rows), last * step_s), e_offset_s])
    elevation_deg, azimuth_deg = track.look(sat, np.nan_to_num(offset_s))
    elevation_deg[np.isnan(offset_s)] = np.nan
    return _KeyInstants(sat, offset_s, elevation_deg, azimuth_deg)


def _rate_roots(track: StationTrack, sat, lo_s, hi_s, rate_lo, rate_hi) -> np.ndarray:
    """Return the offset (s) of the root of the elevation rate of satellite ``sat[i]`` in
    [lo_s[i], hi_s[i]]; NaN where SGP4 fails."""

    def evaluate(indices, offsets_s):
        _, rate = track.sine_and_rate(sat[indices], offsets_s)
        # The rate's own derivative is not at hand: NaN asks for a secant step.
        return rate, np.full(len(indices), np.nan)

    return bracketed_roots(evaluate, lo_s, hi_s, rate_lo, rate_hi)


def _lowest_and_highest(keys: _KeyInstants, n_sats: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (lowest_deg, highest_index), each of shape (n_sats,): per satellite the
    lowest of its key elevations (inf: no key instant; -inf if one is NaN, so no window)
    and the index of its highest key instant (-1: none)."""
    elevation_deg = np.nan_to_num(keys.elevation_deg, nan=-np.inf)
    lowest_deg = np.full(n_sats, np.inf)
    np.minimum.at(lowest_deg, keys.sat, elevation_deg)
    highest_index = np.full(n_sats, -1)
    order = np.lexsort((-elevation_deg, keys.sat))
    firsts = np.unique(keys.sat[order], return_index=True)[1]
    highest_index[keys.sat[order][firsts]] = order[firsts]
    return lowest_deg, highest_index


def _window(norad_cat_id: int, bounds: tuple[datetime, datetime], highest: tuple[datetime, float, float],
            lowest_elevation_deg: float, azimuth_deg: np.ndarray, min_elevation_deg: float) -> Window:
    """Return the Window of one satellite from the query window's (start, end), its
    highest key instant (tca, max_elevation_deg, tca_azimuth_deg), its lowest elevation
    and its sampled azimuths (degrees)."""
    (start, end), (tca, max_elevation_deg, tca_azimuth_deg) = bounds, highest
    azimuth_min_deg, azimuth_max_deg = azimuth_arc(azimuth_deg)
    return Window(
        norad_cat_id=int(norad_cat_id), start=start, end=end, tca=tca,
        max_elevation_deg=max_elevation_deg, lowest_elevation_deg=lowest_elevation_deg,
        start_azimuth_deg=float(azimuth_deg[0]), tca_azimuth_deg=tca_azimuth_deg,
        end_azimuth_deg=float(azimuth_deg[-1]),
        azimuth_min_deg=azimuth_min_deg, azimuth_max_deg=azimuth_max_deg,
        min_elevation_deg=float(min_elevation_deg),
    )
