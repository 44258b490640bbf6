"""Passes of satellites over a ground station: AOS, TCA and LOS above an elevation mask.

Method: propagate every satellite on a coarse grid (``step_s``), find the local
maxima of elevation, refine each maximum on a 1-second grid with a parabola
through the three best points (the culmination, TCA), keep those above the mask,
and find the mask crossings on either side on a 1-second grid with linear
interpolation. A maximum is examined when its coarse sample is within
``_PEAK_MARGIN_DEG`` of the mask, so a pass that culminates between two coarse
samples is not lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from .elements import ElementSet
from .geometry import look_angles, teme_to_ecef_km
from .propagation import ecef_positions_km, satrec_array
from .sites import Station
from .timescale import TimeGrid, as_utc, julian

#: A culmination sampled this far below the mask is still refined: between two
#: samples 30 s apart a low pass's elevation rises by well under 1 degree.
_PEAK_MARGIN_DEG = 3.0
#: Passes whose TCA falls in the window are found; their AOS and LOS may lie
#: outside it, up to this far (a LEO pass lasts under 20 minutes).
DEFAULT_PAD_S = 3600.0
_FINE_STEP_S = 1.0
_SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Pass:
    """One pass of a satellite over a station above ``min_elevation_deg`` (times UTC)."""

    norad_cat_id: int
    aos: datetime
    tca: datetime
    los: datetime
    max_elevation_deg: float
    min_elevation_deg: float
    aos_azimuth_deg: float
    tca_azimuth_deg: float
    los_azimuth_deg: float

    @property
    def duration_s(self) -> float:
        """Return the time from AOS to LOS, in seconds."""
        return (self.los - self.aos).total_seconds()


def find_passes(
    element_sets: Sequence[ElementSet],
    station: Station,
    start: datetime,
    end: datetime,
    min_elevation_deg: float,
    step_s: float = 30.0,
    pad_s: float = DEFAULT_PAD_S,
) -> list[Pass]:
    """Return the passes whose TCA lies in [start, end), sorted by AOS.

    AOS and LOS are the true mask crossings even when they fall outside the
    window. A satellite that stays above the mask for the whole window padded by
    ``pad_s`` on both sides has no rise or set and yields no pass.
    """
    grid = TimeGrid.covering(as_utc(start) - timedelta(seconds=pad_s), as_utc(end) + timedelta(seconds=pad_s), step_s)
    satrecs = [element_set.satrec() for element_set in element_sets]
    r_ecef_km, _ = ecef_positions_km(satrec_array(element_sets), *grid.julian())
    elevation_deg, _, _ = look_angles(r_ecef_km, station.ecef_km, station.enu)
    passes = []
    for sat_index, peak_index in _candidate_peaks(elevation_deg, min_elevation_deg):
        found = _refine_pass(
            satrecs[sat_index], element_sets[sat_index].norad_cat_id, station, grid,
            elevation_deg[sat_index], peak_index, min_elevation_deg,
        )
        if found is not None and as_utc(start) <= found.tca < as_utc(end):
            passes.append(found)
    return sorted(passes, key=lambda p: (p.aos, p.norad_cat_id))


def _candidate_peaks(elevation_deg: np.ndarray, min_elevation_deg: float) -> list[tuple[int, int]]:
    """Return (satellite, sample) index pairs of local elevation maxima near or above the mask."""
    middle = elevation_deg[:, 1:-1]
    with np.errstate(invalid="ignore"):
        is_peak = (
            (middle >= elevation_deg[:, :-2])
            & (middle > elevation_deg[:, 2:])
            & (middle > min_elevation_deg - _PEAK_MARGIN_DEG)
        )
    sats, samples = np.nonzero(is_peak)
    return list(zip(sats.tolist(), (samples + 1).tolist()))


def _refine_pass(satrec, norad_cat_id, station, grid, coarse_deg, k, mask_deg) -> Pass | None:
    """Return the pass around coarse sample ``k`` refined to sub-second times, or None
    when its culmination is below the mask or a crossing lies beyond the grid."""
    step = grid.step_s
    tca_s, max_deg = _culmination(satrec, station, grid, (k - 1) * step, (k + 1) * step)
    if not max_deg >= mask_deg:
        return None
    above = coarse_deg >= mask_deg
    before = np.nonzero(~above[:k + 1] & (grid.offsets_s[:k + 1] < tca_s))[0]
    after = np.nonzero(~above[k:] & (grid.offsets_s[k:] > tca_s))[0]
    if before.size == 0 or after.size == 0:
        return None
    a, b = before[-1], k + after[0]
    aos_s = _crossing(satrec, station, grid, a * step, min((a + 1) * step, tca_s), mask_deg)
    los_s = _crossing(satrec, station, grid, max((b - 1) * step, tca_s), b * step, mask_deg)
    _, (aos_az, tca_az, los_az) = _look(satrec, station, grid, np.array([aos_s, tca_s, los_s]))
    return Pass(
        norad_cat_id=norad_cat_id,
        aos=grid.instant(aos_s), tca=grid.instant(tca_s), los=grid.instant(los_s),
        max_elevation_deg=float(max_deg), min_elevation_deg=float(mask_deg),
        aos_azimuth_deg=float(aos_az), tca_azimuth_deg=float(tca_az), los_azimuth_deg=float(los_az),
    )


def _culmination(satrec, station, grid, lo_s, hi_s) -> tuple[float, float]:
    """Return (offset_s, elevation_deg) of the elevation maximum in [lo_s, hi_s]."""
    offsets_s = np.arange(lo_s, hi_s + 0.5 * _FINE_STEP_S, _FINE_STEP_S)
    elevation_deg, _ = _look(satrec, station, grid, offsets_s)
    j = int(np.clip(np.nanargmax(elevation_deg), 1, len(offsets_s) - 2))
    y0, y1, y2 = elevation_deg[j - 1:j + 2]
    curvature = y0 - 2.0 * y1 + y2
    shift = 0.5 * (y0 - y2) / curvature if curvature < 0 else 0.0
    tca_s = offsets_s[j] + float(np.clip(shift, -1.0, 1.0)) * _FINE_STEP_S
    peak_deg, _ = _look(satrec, station, grid, np.array([tca_s]))
    return tca_s, float(peak_deg[0])


def _crossing(satrec, station, grid, lo_s, hi_s, mask_deg) -> float:
    """Return the offset (s) in [lo_s, hi_s] where elevation crosses ``mask_deg``,
    interpolated linearly between 1-second samples."""
    offsets_s = np.append(np.arange(lo_s, hi_s, _FINE_STEP_S), hi_s)
    above = _look(satrec, station, grid, offsets_s)[0] - mask_deg
    sign_change = np.nonzero(np.signbit(above[:-1]) != np.signbit(above[1:]))[0]
    if sign_change.size == 0:
        return float(lo_s if abs(above[0]) < abs(above[-1]) else hi_s)
    i = sign_change[0]
    fraction = above[i] / (above[i] - above[i + 1])
    return float(offsets_s[i] + fraction * (offsets_s[i + 1] - offsets_s[i]))


def _look(satrec, station, grid, offsets_s) -> tuple[np.ndarray, np.ndarray]:
    """Return (elevation_deg, azimuth_deg) of one satellite at ``offsets_s`` from the grid start."""
    jd0, fr0 = julian(grid.start)
    jd = np.full(len(offsets_s), jd0)
    fraction = fr0 + np.asarray(offsets_s) / _SECONDS_PER_DAY
    _, r_teme_km, _ = satrec.sgp4_array(jd, fraction)
    r_ecef_km = teme_to_ecef_km(r_teme_km, jd, fraction)
    elevation_deg, azimuth_deg, _ = look_angles(r_ecef_km, station.ecef_km, station.enu)
    return elevation_deg, azimuth_deg
