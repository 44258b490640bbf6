"""Passes of satellites over a ground station: AOS, TCA and LOS above an elevation mask.

Method (exact SGP4 everywhere, no interpolated orbit):

1. Propagate every satellite at once (``SatrecArray``) on a coarse grid of
   ``step_s`` seconds over the window padded by ``pad_s`` on both sides, and
   compute at every sample the sine of the elevation and its time derivative,
   analytically from the Earth-fixed position and velocity. The sine is used
   rather than the angle because it is smooth even through the zenith.
2. Culminations are where the elevation rate changes sign from + to - between
   two samples. Elevation extrema of a LEO satellite are half an orbit apart
   (about 50 minutes), so an interval of a few minutes holds at most one and the
   sign change cannot miss it, even for a grazing pass that culminates above the
   mask between two samples that are both below it. Each culmination that may
   reach the mask is refined to the root of the elevation rate.
3. Mask crossings are where the elevation minus the mask changes sign, between
   consecutive samples or between a sample and a refined extremum (the grazing
   case). Elevation is monotonic between extrema, so each such bracket holds
   exactly one crossing, which is refined by Newton's method on the exact SGP4
   elevation (its exact derivative is the rate of step 1).
4. Refinement is vectorised: every iteration evaluates all pending events with
   one ``sgp4_array`` call per satellite, so the Python overhead is per satellite
   and iteration, not per event. Roots are bracketed throughout: a Newton or
   secant step that would leave the bracket is replaced by bisection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from .defaults import default
from .elements import ElementSet
from .roots import bracketed_roots
from .sites import Station
from .timescale import TimeGrid, as_utc
from .track import StationTrack

#: Passes whose TCA falls in the window are found; their AOS and LOS may lie
#: outside it, up to this far (a LEO pass lasts under 20 minutes).
DEFAULT_PAD_S = 3600.0
#: Coarse sample spacing. Any spacing well under the ~50 minutes between a LEO
#: satellite's elevation maximum and minimum finds every pass; the spacing only
#: trades propagation time against a few more root-finding iterations.
DEFAULT_STEP_S = float(default("passes", "step_s"))


@dataclass(frozen=True)
class Pass:
    """One pass of a satellite over a station above ``min_elevation_deg`` (times UTC).

    A satellite in view for a whole window (GEO, see :mod:`constops.windows`) is one
    ``continuous`` record: ``aos`` and ``los`` are the window's bounds, not a rise and a
    set, and it also carries the lowest elevation and the azimuth arc of the window."""

    norad_cat_id: int
    aos: datetime
    tca: datetime
    los: datetime
    max_elevation_deg: float
    min_elevation_deg: float
    aos_azimuth_deg: float
    tca_azimuth_deg: float
    los_azimuth_deg: float
    continuous: bool = False
    lowest_elevation_deg: float | None = None
    azimuth_min_deg: float | None = None
    azimuth_max_deg: float | None = None

    @property
    def duration_s(self) -> float:
        """Return the time from AOS to LOS, in seconds."""
        return (self.los - self.aos).total_seconds()


#: Satellites searched at once: memory stays bounded (the states of 1,024 satellites over
#: a day and two hours at 180 s are about 30 MB; 15,000 at once peaked at 1.9 GB) and the
#: passes do not depend on it (each satellite's are its own).
CHUNK_SATELLITES = 1024


def find_passes(
    element_sets: Sequence[ElementSet],
    station: Station,
    start: datetime,
    end: datetime,
    min_elevation_deg: float,
    step_s: float = DEFAULT_STEP_S,
    pad_s: float = DEFAULT_PAD_S,
) -> list[Pass]:
    """Return the passes whose TCA lies in [start, end), sorted by (AOS, NORAD id).

    AOS and LOS are the true mask crossings even when they fall outside the
    window. A satellite that stays above the mask for the whole window padded by
    ``pad_s`` on both sides has no rise or set and yields no pass. ``step_s`` is the
    coarse sample spacing in seconds: the passes found do not depend on it as long
    as it stays well under the ~50 minutes between a LEO satellite's elevation
    extrema (60 s and 300 s give the same passes to the microsecond). Satellites are
    searched ``CHUNK_SATELLITES`` at a time.
    """
    start, end = as_utc(start), as_utc(end)
    passes = [p for first in range(0, len(element_sets), CHUNK_SATELLITES)
              for p in _chunk_passes(element_sets[first:first + CHUNK_SATELLITES], station, start, end,
                                     min_elevation_deg, step_s, pad_s)]
    return sorted(passes, key=lambda p: (p.aos, p.norad_cat_id))


def _chunk_passes(element_sets: Sequence[ElementSet], station: Station, start: datetime, end: datetime,
                  min_elevation_deg: float, step_s: float, pad_s: float) -> list[Pass]:
    """Return the passes of ``element_sets`` (see :func:`find_passes`), unsorted."""
    grid = TimeGrid.covering(start - timedelta(seconds=pad_s), end + timedelta(seconds=pad_s), step_s)
    if not element_sets or grid.count < 2:
        return []
    track = StationTrack([element_set.satrec() for element_set in element_sets], station, grid)
    sin_mask = float(np.sin(np.radians(min_elevation_deg)))
    sine, rate_per_s, swing = track.samples()
    height = sine - sin_mask
    extrema, crossings = _events(track, height, rate_per_s, swing, sin_mask)
    aos_s, tca_s, los_s, sat = _pair_passes(crossings, extrema, grid)
    # Drop the passes of the padding before building records; the exact test on
    # the (microsecond) datetimes follows, so 1 s of slack loses nothing.
    near = ((start - grid.start).total_seconds() - 1.0 <= tca_s) & (tca_s < (end - grid.start).total_seconds() + 1.0)
    passes = _passes(track, element_sets, sat[near], aos_s[near], tca_s[near], los_s[near], min_elevation_deg)
    return [p for p in passes if start <= p.tca < end]


@dataclass(frozen=True)
class _Extrema:
    """Refined elevation extrema: satellite index, grid interval k (the extremum lies in
    [t_k, t_k+1]), offset_s from the grid start, height = sin(el) - sin(mask), and
    whether it is a maximum (culmination)."""

    sat: np.ndarray
    interval: np.ndarray
    offset_s: np.ndarray
    height: np.ndarray
    is_maximum: np.ndarray


def _events(track: StationTrack, height, rate_per_s, swing, sin_mask: float):
    """Return (extrema, crossings): the refined elevation extrema (:class:`_Extrema`) and
    every mask crossing as (sat, offset_s, rising).

    Extrema and the crossings bracketed by two samples do not depend on each other
    and are refined together, so that an iteration costs one SGP4 call per
    satellite. Only the crossings of grazing passes, bracketed by an extremum, wait
    for the extrema; they are few.
    """
    step_s = track.grid.step_s
    e_sat, e_k, e_is_maximum = _extremum_intervals(height, rate_per_s, swing)
    c_sat, c_k = _crossing_intervals(height)
    sat, k = np.concatenate([e_sat, c_sat]), np.concatenate([e_k, c_k])
    is_extremum = np.arange(len(sat)) < len(e_sat)
    # Extrema are roots of the rate, crossings roots of the height.
    f_lo = np.where(is_extremum, rate_per_s[sat, k], height[sat, k])
    f_hi = np.where(is_extremum, rate_per_s[sat, k + 1], height[sat, k + 1])
    offset_s, root_height = _refine(track, sin_mask, sat, k * step_s, (k + 1) * step_s, f_lo, f_hi, is_extremum)
    n = len(e_sat)
    extrema = _Extrema(e_sat, e_k, offset_s[:n], root_height[:n], e_is_maximum)
    g_sat, g_lo_s, g_hi_s, g_lo, g_hi = _grazing_brackets(height, extrema, step_s)
    g_offset_s, _ = _refine(track, sin_mask, g_sat, g_lo_s, g_hi_s, g_lo, g_hi, np.zeros(len(g_sat), bool))
    crossings = (
        np.concatenate([c_sat, g_sat]),
        np.concatenate([offset_s[n:], g_offset_s]),
        np.concatenate([height[c_sat, c_k + 1] > 0, g_hi > 0]),
    )
    return extrema, crossings


def _extremum_intervals(height, rate_per_s, swing) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (sat, k, is_maximum) of the grid intervals [t_k, t_k+1] whose elevation
    extremum matters for the passes.

    Kept: maxima that may reach the mask (every culmination of a pass, and grazing
    ones whose samples are both below), and minima between two samples above the
    mask that may dip below it (they split one long visibility into two passes;
    they do not occur for LEO satellites and masks above 0 degrees).
    """
    h0, h1, r0, r1 = height[:, :-1], height[:, 1:], rate_per_s[:, :-1], rate_per_s[:, 1:]
    with np.errstate(invalid="ignore"):
        # Over one step sin(el) moves by at most ``swing``, so between samples it
        # peaks at most at (h0 + h1 + swing) / 2 and bottoms at least at (h0 + h1 - swing) / 2.
        maximum = (r0 > 0) & (r1 <= 0) & (h0 + h1 + swing > 0)
        minimum = (r0 < 0) & (r1 >= 0) & (h0 > 0) & (h1 > 0) & (h0 + h1 - swing < 0)
    sat, k = np.nonzero(maximum | minimum)
    return sat, k, maximum[sat, k]


def _crossing_intervals(height) -> tuple[np.ndarray, np.ndarray]:
    """Return (sat, k) of the grid intervals whose ends lie on opposite sides of the mask.

    Each holds exactly one crossing, even when an extremum lies between its ends:
    elevation is monotonic on either side of the extremum and stays on one side of
    the mask on one of them.
    """
    above = height > 0
    finite = np.isfinite(height)
    return np.nonzero((above[:, :-1] != above[:, 1:]) & finite[:, :-1] & finite[:, 1:])


def _grazing_brackets(height, extrema: _Extrema, step_s: float):
    """Return (sat, lo_s, hi_s, height_lo, height_hi) of the crossings of intervals whose
    ends lie on the same side of the mask but whose extremum lies on the other: the
    two halves [t_k, extremum] and [extremum, t_k+1] each hold one crossing."""
    e, k = extrema, extrema.interval
    above_lo, above_hi = height[e.sat, k] > 0, height[e.sat, k + 1] > 0
    with np.errstate(invalid="ignore"):
        grazing = (above_lo == above_hi) & ((e.height > 0) != above_lo) & np.isfinite(e.height)
    sat, k, offset_s, peak = e.sat[grazing], k[grazing], e.offset_s[grazing], e.height[grazing]
    return (
        np.concatenate([sat, sat]),
        np.concatenate([k * step_s, offset_s]),
        np.concatenate([offset_s, (k + 1) * step_s]),
        np.concatenate([height[sat, k], peak]),
        np.concatenate([peak, height[sat, k + 1]]),
    )


def _refine(track: StationTrack, sin_mask: float, sat, lo_s, hi_s, f_lo, f_hi, is_extremum):
    """Return (offset_s, height): for each bracket the root of the elevation rate (where
    ``is_extremum``) or of height = sin(el) - sin(mask) (elsewhere), in seconds from the
    grid start, and the height at the last iterate.

    At an extremum the last iterate is within the tolerance of the root where the rate
    is zero, so its height equals the height at the root to ~1e-12.
    """
    last_height = np.full(len(sat), np.nan)

    def evaluate(indices, offsets_s):
        sine, rate_per_s = track.sine_and_rate(sat[indices], offsets_s)
        last_height[indices] = sine - sin_mask
        extremum = is_extremum[indices]
        # The rate's own derivative is not at hand: NaN asks for a secant step.
        return np.where(extremum, rate_per_s, sine - sin_mask), np.where(extremum, np.nan, rate_per_s)

    return bracketed_roots(evaluate, lo_s, hi_s, f_lo, f_hi), last_height


def _pair_passes(crossings, extrema: _Extrema, grid: TimeGrid):
    """Return (aos_s, tca_s, los_s, sat) of every culmination above the mask that lies
    between a rise and the next set of the same satellite (offsets from the grid start).

    If several culminations share one rise and set (a double-humped pass), the
    highest is the TCA.
    """
    c_sat, c_offset_s, c_rising = crossings
    ok = np.isfinite(c_offset_s)
    c_sat, c_offset_s, c_rising = c_sat[ok], c_offset_s[ok], c_rising[ok]
    # One sort key for (satellite, time): every offset is below stride.
    stride = (grid.count + 1) * grid.step_s
    c_key = c_sat * stride + c_offset_s
    order = np.argsort(c_key)
    c_sat, c_offset_s, c_rising, c_key = c_sat[order], c_offset_s[order], c_rising[order], c_key[order]
    if len(c_key) == 0:
        empty = np.empty(0)
        return empty, empty, empty, np.empty(0, dtype=int)
    top = extrema.is_maximum & (extrema.height > 0)
    m_sat, m_offset_s, m_height = extrema.sat[top], extrema.offset_s[top], extrema.height[top]
    after = np.searchsorted(c_key, m_sat * stride + m_offset_s)
    before = after - 1
    valid = (before >= 0) & (after < len(c_key))
    before, after = np.where(valid, before, 0), np.where(valid, after, 0)
    valid &= (c_sat[before] == m_sat) & c_rising[before] & (c_sat[after] == m_sat) & ~c_rising[after]
    # Highest culmination first, then keep the first one seen for each rise.
    chosen = np.flatnonzero(valid)
    chosen = chosen[np.lexsort((-m_height[chosen], before[chosen]))]
    chosen = chosen[np.unique(before[chosen], return_index=True)[1]]
    return c_offset_s[before[chosen]], m_offset_s[chosen], c_offset_s[after[chosen]], m_sat[chosen]


def _passes(track: StationTrack, element_sets, sat, aos_s, tca_s, los_s, min_elevation_deg: float) -> list[Pass]:
    """Return the Pass records, with elevation and azimuths from exact SGP4 at AOS, TCA and LOS."""
    n = len(sat)
    elevation_deg, azimuth_deg = track.look(np.tile(sat, 3), np.concatenate([aos_s, tca_s, los_s]))
    max_elevation_deg = elevation_deg[n:2 * n]
    azimuths = azimuth_deg.reshape(3, n)
    grid = track.grid
    return [
        Pass(
            norad_cat_id=element_sets[s].norad_cat_id,
            aos=grid.instant(aos_s[i]), tca=grid.instant(tca_s[i]), los=grid.instant(los_s[i]),
            max_elevation_deg=float(max_elevation_deg[i]), min_elevation_deg=float(min_elevation_deg),
            aos_azimuth_deg=float(azimuths[0, i]), tca_azimuth_deg=float(azimuths[1, i]),
            los_azimuth_deg=float(azimuths[2, i]),
        )
        for i, s in enumerate(sat.tolist())
    ]
