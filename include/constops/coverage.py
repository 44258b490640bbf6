"""Coverage of a region: which grid cells see at least one satellite above a mask, and when.

Conventions (the figures of merit follow STK's coverage set):

* The region is divided into cells of ``cell_size_deg`` on a global lat/lon grid;
  a cell belongs to the region when its centre lies inside the polygon, and it
  weighs its spherical area (authalic sphere).
* Time is sampled every ``step_s`` from the start of the UTC day; sample k
  stands for [t_k, t_k + step_s). Percent of time covered is the share of
  covered samples.
* A gap is a maximal run of uncovered samples. Gaps that touch the start or
  end of the day are counted and measured clipped to the day (the day is not
  joined to its neighbours).
* Region figures are area-weighted means of the cell figures, except
  ``max_gap_s`` and ``sats_in_view_min``/``max`` (extremes over cells) and
  ``mean_gap_s`` (total gap time / number of gaps, both area-weighted).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np

from .elements import ElementSet
from .geometry import enu_basis, look_angles, teme_to_ecef_km
from .propagation import propagated
from .screening import SCREEN_EVERY, Target, screen
from .sites import Region, Station
from .timescale import TimeGrid

AUTHALIC_RADIUS_KM = 6371.0072


def default_threads() -> int:
    """Return the threads that count time chunks at once when none are given: every core,
    at most 4 (beyond 4 the chunks' memory traffic, not the cores, bounds the speed)."""
    return min(4, os.cpu_count() or 1)
#: Upper bound on the elements of one time chunk's arrays (difference array: masks x slots x
#: rows x columns; (sample, row) pairs: samples x rows). Small enough that a chunk's arrays
#: stay in the CPU cache: 400,000 ran the 1,296-satellite bench day's kernel fastest of
#: 100,000 to 3,200,000.
_CHUNK_ELEMENTS = 400_000


@dataclass(frozen=True)
class CellGrid:
    """The cells of a region: centres (deg), areas (km^2), stable integer ids, and their
    position (``row``, ``col``) in the region's bounding block of the global grid."""

    region_id: str
    cell_size_deg: float
    cell_id: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    area_km2: np.ndarray
    row: np.ndarray
    col: np.ndarray
    row_lat_deg: np.ndarray
    west_lon_deg: float
    n_cols: int

    @classmethod
    def for_region(cls, region: Region, cell_size_deg: float) -> CellGrid:
        """Return the cells of the global ``cell_size_deg`` grid whose centres lie in ``region``."""
        lon_min, lat_min, lon_max, lat_max = region.geometry.bounds
        row0, col0 = np.floor((lat_min + 90) / cell_size_deg), np.floor((lon_min + 180) / cell_size_deg)
        n_rows = int(np.ceil((lat_max + 90) / cell_size_deg) - row0)
        n_cols = int(np.ceil((lon_max + 180) / cell_size_deg) - col0)
        row, col = (a.ravel() for a in np.meshgrid(np.arange(n_rows), np.arange(n_cols), indexing="ij"))
        lat = (row0 + row + 0.5) * cell_size_deg - 90.0
        lon = (col0 + col + 0.5) * cell_size_deg - 180.0
        inside = region.contains(lat, lon)
        row, col, lat, lon = row[inside], col[inside], lat[inside], lon[inside]
        half = np.radians(cell_size_deg / 2)
        area = AUTHALIC_RADIUS_KM**2 * np.radians(cell_size_deg) * (
            np.sin(np.radians(lat) + half) - np.sin(np.radians(lat) - half)
        )
        cell_id = ((row0 + row) * round(360 / cell_size_deg) + col0 + col).astype(np.int64)
        return cls(
            region.region_id, cell_size_deg, cell_id, lat, lon, area, row, col,
            row_lat_deg=(row0 + np.arange(n_rows) + 0.5) * cell_size_deg - 90.0,
            west_lon_deg=float(col0 * cell_size_deg - 180.0), n_cols=n_cols,
        )

    def __len__(self) -> int:
        return len(self.cell_id)

    @cached_property
    def centre_unit(self) -> np.ndarray:
        """Return the unit vector towards the area-weighted centre of the cells, shape (3,)."""
        v = (self.area_km2[:, None] * self.up).sum(axis=0)
        return v / np.linalg.norm(v)

    @cached_property
    def radius_rad(self) -> float:
        """Return the largest angle (rad) between ``centre_unit`` and a cell, plus one cell."""
        return float(np.arccos(np.clip(self.up @ self.centre_unit, -1, 1)).max() + np.radians(self.cell_size_deg))

    @cached_property
    def up(self) -> np.ndarray:
        """Return the ellipsoid normals at the cell centres, shape (n_cells, 3)."""
        return enu_basis(self.lat_deg, self.lon_deg)[:, 2, :]


def satellites_in_view(
    r_ecef_km: np.ndarray, grid: CellGrid, masks_deg: Sequence[float], eligible: np.ndarray | None = None,
    threads: int = 0,
) -> dict[float, np.ndarray]:
    """Return, for each mask, the number of satellites above it at every (time, cell),
    as uint16 arrays of shape (n_times, n_cells).

    ``r_ecef_km`` has shape (n_sats, n_times, 3); NaN positions (SGP4 errors) see
    nothing. ``eligible`` (n_sats, n_times), when given, counts a satellite only where
    it is True (for example: it sees a gateway at that instant). ``threads`` count time
    chunks at once (0: :func:`default_threads`). See :func:`add_in_view` for the method.
    """
    n_sats, n_times, _ = r_ecef_km.shape
    sat, t = (a.ravel() for a in np.meshgrid(np.arange(n_sats), np.arange(n_times), indexing="ij"))
    r_km = r_ecef_km.reshape(-1, 3)
    keep = _near(r_km, grid, min(masks_deg))
    if eligible is not None:
        keep &= eligible.ravel()
    counts = {mask: np.zeros((len(grid), 1, n_times), dtype=np.uint16) for mask in masks_deg}
    add_in_view(counts, r_km[keep], t[keep], np.zeros(int(keep.sum()), dtype=np.int64), grid, threads)
    return {mask: c[:, 0].T for mask, c in counts.items()}


def add_in_view(
    counts: Mapping[float, np.ndarray], r_ecef_km: np.ndarray, t_index: np.ndarray, class_index: np.ndarray,
    grid: CellGrid, threads: int = 0,
) -> None:
    """Add to ``counts[mask]`` (uint16, shape (n_cells, n_classes, n_times)) the satellites
    above each mask at every (time, cell), from satellite samples given as Earth-fixed
    positions ``r_ecef_km`` (m, 3) at time indices ``t_index`` (m,), each counted in the
    class ``class_index`` (m,) (for example: operational and seeing a gateway). NaN
    positions see nothing. ``threads`` count time chunks at once (0: :func:`default_threads`).

    Method: :mod:`constops.row_runs` (exact on the WGS84 ellipsoid, one run of columns per
    (sample, row), no trigonometry per cell).
    """
    from .row_runs import RowGeometry  # Numba's import costs about 1 s: only where coverage is counted

    masks_deg = sorted(counts)
    _, n_classes, n_times = counts[masks_deg[0]].shape
    rows = RowGeometry(grid)
    finite = np.isfinite(r_ecef_km).all(axis=1)
    order = np.argsort(t_index[finite], kind="stable")
    r_km, t, cls = r_ecef_km[finite][order], t_index[finite][order], class_index[finite][order]
    width = grid.n_cols + 1

    def count_chunk(bounds: tuple[int, int]) -> None:
        t0, t1 = bounds
        lo, hi = np.searchsorted(t, t0), np.searchsorted(t, t1)
        if lo == hi:
            return
        nt = t1 - t0
        diff = np.zeros((len(masks_deg), n_classes * nt, rows.n_rows, width), dtype=np.int16)
        rows.add_runs(diff, r_km[lo:hi], cls[lo:hi] * nt + (t[lo:hi] - t0), masks_deg)
        for m, mask in enumerate(masks_deg):
            rows.add_counts(counts[mask], diff[m], t0)

    # The kernels release the GIL, so time chunks counted on threads use every core; each
    # chunk writes its own times of ``counts``.
    with ThreadPoolExecutor(max_workers=threads or default_threads()) as pool:
        list(pool.map(count_chunk, _time_chunks(t, n_times, len(masks_deg) * n_classes * rows.n_rows * width,
                                                rows.n_rows)))


def _time_chunks(t_sorted: np.ndarray, n_times: int, elements_per_time: int, elements_per_sample: int):
    """Return [t0, t1) ranges of time indices covering ``n_times``, each holding at most
    about ``_CHUNK_ELEMENTS`` elements of the difference array and of (sample, row) pairs."""
    max_times = max(1, _CHUNK_ELEMENTS // elements_per_time)
    max_samples = max(1, _CHUNK_ELEMENTS // elements_per_sample)
    before = np.concatenate([[0], np.cumsum(np.bincount(t_sorted, minlength=n_times))])
    chunks, t0 = [], 0
    while t0 < n_times:
        by_samples = int(np.searchsorted(before, before[t0] + max_samples, side="right")) - 1
        t1 = max(t0 + 1, min(n_times, t0 + max_times, by_samples))
        chunks.append((t0, t1))
        t0 = t1
    return chunks


def _near(r_ecef_km: np.ndarray, grid: CellGrid, min_mask_deg: float) -> np.ndarray:
    """Return True for the positions (m, 3) that may see a cell of ``grid`` above the mask."""
    target = Target(grid.centre_unit, grid.radius_rad, min_mask_deg)
    with np.errstate(invalid="ignore"):
        norm_km = np.linalg.norm(r_ecef_km, axis=-1)
        return (r_ecef_km @ grid.centre_unit) / norm_km >= target.reach_cos(norm_km)


#: Satellites propagated at once by :func:`count_in_view`: bounds memory whatever the
#: constellation's size (their coarse screen holds 1,024 x n_times / 8 x 48 bytes).
DEFAULT_SATELLITE_CHUNK = 1024


def count_in_view(
    element_sets: Sequence[ElementSet],
    grid: CellGrid,
    masks_deg: Sequence[float],
    times: TimeGrid,
    subsets: Mapping[str, np.ndarray] | None = None,
    relay_stations: Sequence[Station] = (),
    chunk: int = DEFAULT_SATELLITE_CHUNK,
    threads: int = 0,
    screen_every: int | None = SCREEN_EVERY,
) -> tuple[dict[tuple[str, str], dict[float, np.ndarray]], dict[str, int]]:
    """Return the satellites-in-view counts of a constellation over ``grid`` at ``times``.

    Result: ``counts[(subset, service)][mask]`` arrays (n_times, n_cells), for every
    subset (boolean masks over ``element_sets``; default ``{"all": everything}``) and
    service (``"direct"``, plus ``"bent_pipe"`` when ``relay_stations`` are given),
    and the number of satellites of each subset that propagate without error all day.
    The arrays are read-only (one may be a view of another's memory).

    Each satellite is propagated only at the samples where it may see the region
    (:mod:`constops.screening`; ``screen_every=None`` propagates every sample, with the
    same result), ``chunk`` satellites at a time. Each sample is counted once, in the
    class of its subsets and of whether it sees a gateway; the counts of every subset
    and service are sums of classes, so extra subsets and services cost no geometry.
    """
    n = len(element_sets)
    subsets = dict(subsets or {"all": np.ones(n, dtype=bool)})
    names = list(subsets)
    patterns, pattern_of = np.unique(np.stack([np.asarray(subsets[k], dtype=bool) for k in names], axis=1)
                                     .reshape(n, len(names)), axis=0, return_inverse=True)
    pattern_of = pattern_of.reshape(-1)
    relaying = bool(relay_stations)
    class_counts = {mask: np.zeros((len(grid), len(patterns) * (1 + relaying), times.count), dtype=np.uint16)
                    for mask in masks_deg}
    usable = dict.fromkeys(names, 0)
    target = Target(grid.centre_unit, grid.radius_rad, min(masks_deg))
    jd, fraction = times.julian()
    for lo in range(0, n, chunk):
        satrecs = [element_set.satrec() for element_set in element_sets[lo:lo + chunk]]
        sat, t, r_ecef_km, all_day = screened_positions_km(satrecs, jd, fraction, target, screen_every)
        for name in names:
            usable[name] += int(np.count_nonzero(all_day & subsets[name][lo:lo + chunk]))
        keep = _near(r_ecef_km, grid, min(masks_deg))
        sat, t, r_ecef_km = sat[keep], t[keep], r_ecef_km[keep]
        cls = pattern_of[lo + sat]
        if relaying:
            cls = 2 * cls + gateway_visibility(r_ecef_km, relay_stations)
        add_in_view(class_counts, r_ecef_km, t, cls, grid, threads)
    services = ("direct", "bent_pipe") if relaying else ("direct",)
    counts = {}
    for j, name in enumerate(names):
        for service in services:
            members = [p * (1 + relaying) + e for p in np.flatnonzero(patterns[:, j])
                       for e in ((1,) if service == "bent_pipe" else range(1 + relaying))]
            counts[name, service] = {mask: _sum_classes(c, members, times.count, len(grid))
                                     for mask, c in class_counts.items()}
    return counts, usable


def _sum_classes(class_counts: np.ndarray, members: Sequence[int], n_times: int, n_cells: int) -> np.ndarray:
    """Return the sum (uint16, (n_times, n_cells)) of the classes ``members`` of
    ``class_counts`` (n_cells, n_classes, n_times), as a read-only transposed view (the
    figures of merit read it cell by cell): of ``class_counts`` itself for one member."""
    if len(members) == 1:
        total = class_counts[:, members[0]]
    else:
        total = np.zeros((n_cells, n_times), dtype=np.uint16)
        for k in members:
            total += class_counts[:, k]
    view = total.T
    view.flags.writeable = False
    return view


def screened_positions_km(satrecs: Sequence, jd: np.ndarray, fraction: np.ndarray, target: Target,
                          screen_every: int | None = SCREEN_EVERY):
    """Return (sat, t, r_ecef_km, all_day) for ``satrecs`` propagated at the samples where
    they may see ``target`` (:func:`constops.screening.screen`): the satellite and time
    index of every sample (m,), its Earth-fixed position (m, 3) in km, NaN from the
    satellite's first SGP4 error on, and per satellite whether it propagates without
    error at every sample it was propagated at (all of them for a satellite that may fail)."""
    found = screen(satrecs, jd, fraction, target, screen_every)
    sats, times, positions = [], [], []
    all_day = np.ones(len(satrecs), dtype=bool)
    for i, idx in enumerate(found.samples):
        if not len(idx):
            continue
        error, r_km, _ = satrecs[i].sgp4_array(jd[idx], fraction[idx])
        ok = propagated(error)
        all_day[i] = bool(ok.all())
        r_km[~ok] = np.nan
        sats.append(np.full(len(idx), i))
        times.append(idx)
        positions.append(r_km)
    if not positions:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty((0, 3)), all_day
    t = np.concatenate(times)
    return np.concatenate(sats), t, teme_to_ecef_km(np.concatenate(positions), jd[t], fraction[t]), all_day


def gateway_visibility(r_ecef_km: np.ndarray, stations: Sequence[Station]) -> np.ndarray:
    """Return a boolean of the shape of ``r_ecef_km`` without its last axis: True where the
    satellite is above the mask of at least one of ``stations`` (the bent-pipe condition:
    it can relay a user to a gateway)."""
    visible = np.zeros(r_ecef_km.shape[:-1], dtype=bool)
    for station in stations:
        elevation_deg, _, _ = look_angles(r_ecef_km, station.ecef_km, station.enu)
        with np.errstate(invalid="ignore"):
            visible |= elevation_deg >= station.min_elevation_deg
    return visible


@dataclass(frozen=True)
class CellFigures:
    """Coverage figures of merit of every cell for one mask; arrays of shape (n_cells,)."""

    percent_time_covered: np.ndarray
    gap_count: np.ndarray
    mean_gap_s: np.ndarray
    max_gap_s: np.ndarray
    sats_in_view_min: np.ndarray
    sats_in_view_mean: np.ndarray
    sats_in_view_max: np.ndarray


def cell_figures(counts: np.ndarray, step_s: float) -> CellFigures:
    """Return the figures of merit of every cell from its satellites-in-view series (n_times, n_cells)."""
    from .cell_series import cell_runs  # Numba's import costs about 1 s: only where figures are made

    n_times = counts.shape[0]
    covered, gap_count, gap_samples, longest_gap, lowest, total, highest = cell_runs(_cell_major(counts))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_gap_s = np.where(gap_count > 0, gap_samples * step_s / np.maximum(gap_count, 1), 0.0)
    return CellFigures(
        percent_time_covered=100.0 * (covered / n_times),
        gap_count=gap_count,
        mean_gap_s=mean_gap_s,
        max_gap_s=longest_gap * step_s,
        sats_in_view_min=lowest,
        sats_in_view_mean=total / n_times,
        sats_in_view_max=highest,
    )


def _cell_major(counts: np.ndarray) -> np.ndarray:
    """Return ``counts`` (n_times, n_cells) as a C-ordered (n_cells, n_times) array: a view
    of the engine's counts (see :func:`_sum_classes`), a copy of others."""
    return np.ascontiguousarray(counts.T)


def region_figures(figures: CellFigures, area_km2: np.ndarray) -> dict[str, float]:
    """Return the area-weighted figures of merit of a whole region for one mask."""
    w = area_km2 / area_km2.sum()
    gap_count_weighted = float(np.sum(w * figures.gap_count))
    gap_time_weighted = float(np.sum(w * figures.mean_gap_s * figures.gap_count))
    return {
        "percent_time_covered": float(np.sum(w * figures.percent_time_covered)),
        "percent_area_always_covered": float(100.0 * np.sum(w[figures.percent_time_covered >= 100.0])),
        "percent_area_never_covered": float(100.0 * np.sum(w[figures.percent_time_covered <= 0.0])),
        "gap_count_mean": gap_count_weighted,
        "mean_gap_s": gap_time_weighted / gap_count_weighted if gap_count_weighted > 0 else 0.0,
        "max_gap_s": float(figures.max_gap_s.max(initial=0.0)),
        "sats_in_view_min": int(figures.sats_in_view_min.min()),
        "sats_in_view_mean": float(np.sum(w * figures.sats_in_view_mean)),
        "sats_in_view_max": int(figures.sats_in_view_max.max(initial=0)),
    }


def region_coverage(
    element_sets: Sequence[ElementSet], grid: CellGrid, masks_deg: Sequence[float],
    start: datetime, end: datetime, step_s: float,
) -> dict[float, dict[str, float]]:
    """Return ``{mask_deg: figures}``: the area-weighted figures of merit of the region of
    ``grid`` (see :func:`region_figures`; percentages, seconds, satellite counts) for all of
    ``element_sets``, direct service, sampled every ``step_s`` seconds over [start, end)."""
    times = TimeGrid.covering(start, end, step_s)
    counts, _ = count_in_view(element_sets, grid, masks_deg, times)
    return {mask: region_figures(cell_figures(c, step_s), grid.area_km2) for mask, c in counts["all", "direct"].items()}


def percent_area_covered_series(counts: np.ndarray, area_km2: np.ndarray) -> np.ndarray:
    """Return the percent of the region's area covered at each time step, shape (n_times,)."""
    from .cell_series import weighted_series

    covered_km2, _ = weighted_series(_cell_major(counts), np.asarray(area_km2, dtype=float), True)
    return 100.0 * covered_km2 / area_km2.sum()


def sats_in_view_series(counts: np.ndarray, area_km2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the satellites in view of the region at each time step: the area-weighted mean
    over its cells (float) and the count at the cell that sees most (int), both (n_times,)."""
    from .cell_series import weighted_series

    weighted, highest = weighted_series(_cell_major(counts), np.asarray(area_km2, dtype=float), False)
    return weighted / area_km2.sum(), highest
