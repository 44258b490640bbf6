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
#: Upper bound on the elements of one time chunk's arrays (difference array: slots x rows x
#: columns; per-row terms: samples x rows). Small enough that a chunk's arrays stay in the
#: CPU cache: 200,000 runs a 2,000-satellite day 1.5-2x faster than 8,000,000.
_CHUNK_ELEMENTS = 200_000
#: One scattered addition (np.add.at) costs about as much as this many elements of a dense count.
_SCATTER_PER_DENSE = 25


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

    Method (exact on the WGS84 ellipsoid, no trigonometry per cell): along one row of
    cells (a fixed geodetic latitude) the sine of a satellite's elevation is a
    monotonic function of cos(longitude difference), so the cells that see it above
    a mask form one run of columns, whose ends follow from a quadratic equation.
    Each (sample, row) adds +1 at the run's first column and -1 after its last, in
    its class and time; a cumulative sum along the row gives the counts.
    """
    masks_deg = sorted(counts)
    _, n_classes, n_times = counts[masks_deg[0]].shape
    rows = _RowGeometry(grid)
    finite = np.isfinite(r_ecef_km).all(axis=1)
    order = np.argsort(t_index[finite], kind="stable")
    r_km, t, cls = r_ecef_km[finite][order], t_index[finite][order], class_index[finite][order]

    def count_chunk(bounds: tuple[int, int]) -> None:
        t0, t1 = bounds
        lo, hi = np.searchsorted(t, t0), np.searchsorted(t, t1)
        if lo == hi:
            return
        nt = t1 - t0
        sample, row = rows.pairs(r_km[lo:hi], masks_deg[0])
        terms = rows.terms(r_km[lo:hi], sample, row)
        slot = (cls[lo:hi] * nt + (t[lo:hi] - t0))[sample]
        for mask in masks_deg:  # ascending: a row that sees nothing above a mask sees nothing above the next
            first, last = rows.column_runs(terms, np.sin(np.radians(mask)))
            has_run = first <= last
            terms = {name: values[has_run] for name, values in terms.items()}
            slot, row, first, last = slot[has_run], row[has_run], first[has_run], last[has_run]
            found = rows.accumulate(slot, row, first, last, n_classes * nt).view(np.uint16)
            counts[mask][:, :, t0:t1] += found.reshape(len(grid), n_classes, nt)

    # NumPy releases the GIL in its array loops, so time chunks counted on threads use
    # every core; each chunk writes its own times of ``counts``.
    with ThreadPoolExecutor(max_workers=threads or default_threads()) as pool:
        list(pool.map(count_chunk, _time_chunks(t, n_times, n_classes * len(rows.lat_rad) * (grid.n_cols + 1),
                                                len(rows.lat_rad))))


def _time_chunks(t_sorted: np.ndarray, n_times: int, elements_per_time: int, elements_per_sample: int):
    """Return [t0, t1) ranges of time indices covering ``n_times``, each holding at most
    about ``_CHUNK_ELEMENTS`` elements of the difference array and of the per-row terms."""
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
    ``class_counts`` (n_cells, n_classes, n_times), as a transposed (Fortran-ordered) view."""
    total = np.zeros((n_cells, n_times), dtype=np.uint16)
    for k in members:
        total += class_counts[:, k]
    return total.T  # a view: the figures of merit read it cell by cell


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


class _RowGeometry:
    """Per-row constants of the cells' positions and normals on the ellipsoid."""

    def __init__(self, grid: CellGrid):
        from .constants import WGS84_A_KM, WGS84_E2

        self.grid = grid
        self.lat_rad = np.radians(grid.row_lat_deg)
        sin_lat, cos_lat = np.sin(self.lat_rad), np.cos(self.lat_rad)
        n_km = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat**2)
        self.cos_lat, self.sin_lat = cos_lat, sin_lat
        self.rho_cell_km = n_km * cos_lat                 # distance of the row from the axis
        self.z_cell_km = n_km * (1.0 - WGS84_E2) * sin_lat
        self.height_cell_km = self.rho_cell_km * cos_lat + self.z_cell_km * sin_lat  # r_c . up
        self.norm2_cell_km2 = self.rho_cell_km**2 + self.z_cell_km**2

    def pairs(self, r_km: np.ndarray, min_mask_deg: float) -> tuple[np.ndarray, np.ndarray]:
        """Return (sample, row): the (position, row) pairs worth testing, for positions
        ``r_km`` (n, 3); a row farther in latitude from the satellite than the reach of
        its footprint at ``min_mask_deg`` (plus 1 deg) cannot see it."""
        norm_km = np.linalg.norm(r_km, axis=1)
        lat_rad = np.arcsin(r_km[:, 2] / norm_km)
        reach_rad = np.arccos(Target(self.grid.centre_unit, 0.0, min_mask_deg).reach_cos(norm_km))
        lo = np.searchsorted(self.lat_rad, lat_rad - reach_rad, side="left")
        hi = np.searchsorted(self.lat_rad, lat_rad + reach_rad, side="right")
        n_pairs = hi - lo
        sample = np.repeat(np.arange(len(r_km)), n_pairs)
        row = np.arange(n_pairs.sum()) - np.repeat(np.cumsum(n_pairs) - n_pairs - lo, n_pairs)
        return sample, row

    def terms(self, r_km: np.ndarray, sample: np.ndarray, row: np.ndarray) -> dict[str, np.ndarray]:
        """Return the mask-independent terms of the visibility test of satellite positions
        ``r_km[sample]`` against rows ``row``: with c = cos(lon_sat - lon_cell),
        sin(el) |d| = a c + b and |d|^2 = cc - d c; 1-D arrays, one value per pair."""
        x, y, z = (r_km[:, k] for k in range(3))
        rho = np.hypot(x, y)
        centre_lon = self.grid.west_lon_deg + 0.5 * self.grid.n_cols * self.grid.cell_size_deg
        lon_deg = (np.degrees(np.arctan2(y, x)) - centre_lon + 180.0) % 360.0 - 180.0 + centre_lon
        rho, z = rho[sample], z[sample]
        a_ = rho * self.cos_lat[row]
        b_ = z * self.sin_lat[row] - self.height_cell_km[row]
        return {
            "aa": a_ * a_, "ab2": 2.0 * a_ * b_, "bb": b_ * b_,
            "cc": (rho**2 + z**2 + self.norm2_cell_km2[row]) - 2.0 * z * self.z_cell_km[row],
            "d": 2.0 * rho * self.rho_cell_km[row],
            "lon_deg": lon_deg[sample],
        }

    def column_runs(self, terms: dict[str, np.ndarray], sin_mask: float) -> tuple[np.ndarray, np.ndarray]:
        """Return (first, last) column of the run of cells of each pair's row that see its
        satellite above the mask: int arrays (n_pairs,); first > last where no cell does."""
        s2 = sin_mask**2
        qa = terms["aa"]
        qb = terms["ab2"] + s2 * terms["d"]
        qc = terms["bb"] - s2 * terms["cc"]
        disc = qb * qb
        disc -= 4.0 * qa * qc
        np.sqrt(np.maximum(disc, 0.0, out=disc), out=disc)
        # The larger root: above it (and only there) a c + b >= sin(mask) |d| holds.
        with np.errstate(divide="ignore", invalid="ignore"):
            c_min = np.where(qa > 1e-9, (disc - qb) / (2.0 * qa), -qc / qb)
        half_width_deg = np.degrees(np.arccos(np.clip(c_min, -1.0, 1.0)))
        half_width_deg[c_min <= -1.0] = 360.0
        size, west = self.grid.cell_size_deg, self.grid.west_lon_deg
        centre = (terms["lon_deg"] - west) / size - 0.5
        first = np.clip(np.ceil(centre - half_width_deg / size), 0, self.grid.n_cols).astype(np.int64)
        last = np.clip(np.floor(centre + half_width_deg / size), -1, self.grid.n_cols - 1).astype(np.int64)
        last[c_min > 1.0] = -1
        return first, last

    def accumulate(self, slot: np.ndarray, row: np.ndarray, first: np.ndarray, last: np.ndarray,
                   n_slots: int) -> np.ndarray:
        """Return the number of runs ``[first, last]`` (columns of row ``row``, in slot
        ``slot``; one slot per (class, time) of the samples) covering every cell of the
        grid in every slot: int16 of shape (n_cells, n_slots).

        The difference array is laid out column-major, (column, row, slot), so that the
        cumulative sum along a row adds contiguous planes (a sum along 60-column rows
        would be strided and four times slower)."""
        n_rows, width = len(self.lat_rad), self.grid.n_cols + 1
        at = row * n_slots + slot
        plane = n_rows * n_slots
        size = width * plane
        if len(at) * _SCATTER_PER_DENSE < size:  # few runs: scatter them into int16
            diff = np.zeros(size, dtype=np.int16)
            np.add.at(diff, first * plane + at, 1)
            np.subtract.at(diff, (last + 1) * plane + at, 1)
        else:  # many: count them densely (bincount's int64 costs less than scattering)
            diff = np.bincount(first * plane + at, minlength=size).astype(np.int16)
            diff -= np.bincount((last + 1) * plane + at, minlength=size).astype(np.int16)
        diff = diff.reshape(width, plane)
        np.cumsum(diff, axis=0, out=diff)
        return diff.reshape(width, n_rows, n_slots)[self.grid.col, self.grid.row]


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
    covered = counts > 0
    gap_count, gap_total_s, max_gap_s = _gaps(~covered, step_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_gap_s = np.where(gap_count > 0, gap_total_s / np.maximum(gap_count, 1), 0.0)
    return CellFigures(
        percent_time_covered=100.0 * covered.mean(axis=0),
        gap_count=gap_count,
        mean_gap_s=mean_gap_s,
        max_gap_s=max_gap_s,
        sats_in_view_min=counts.min(axis=0).astype(int),
        sats_in_view_mean=counts.mean(axis=0),
        sats_in_view_max=counts.max(axis=0).astype(int),
    )


def _gaps(uncovered: np.ndarray, step_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (count, total_s, max_s) of the runs of True along axis 0, per column."""
    n_times, n_cells = uncovered.shape
    padded = np.zeros((n_cells, n_times + 2), dtype=np.int8)  # cell-major: runs come out sorted by cell
    padded[:, 1:-1] = uncovered.T
    edges = np.diff(padded, axis=1)
    cells, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    lengths_s = (ends - starts) * step_s
    count = np.bincount(cells, minlength=n_cells)
    total_s = np.bincount(cells, weights=lengths_s, minlength=n_cells)
    max_s = np.zeros(n_cells)
    with_gaps = count > 0
    first_of_cell = np.concatenate([[0], np.cumsum(count)[:-1]])[with_gaps]
    if lengths_s.size:
        max_s[with_gaps] = np.maximum.reduceat(lengths_s, first_of_cell)
    return count, total_s, max_s


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


def percent_area_covered_series(counts: np.ndarray, area_km2: np.ndarray) -> np.ndarray:
    """Return the percent of the region's area covered at each time step, shape (n_times,)."""
    return 100.0 * ((counts > 0) @ area_km2) / area_km2.sum()


def sats_in_view_series(counts: np.ndarray, area_km2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the satellites in view of the region at each time step: the area-weighted mean
    over its cells (float) and the count at the cell that sees most (int), both (n_times,)."""
    return (counts @ area_km2) / area_km2.sum(), counts.max(axis=1, initial=0).astype(int)
