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
from .geometry import enu_basis, look_angles
from .propagation import ecef_positions_km, satrec_array
from .sites import Region, Station
from .timescale import TimeGrid

AUTHALIC_RADIUS_KM = 6371.0072


def default_threads() -> int:
    """Return the threads that count time chunks at once when none are given: every core,
    at most 4 (beyond 4 the chunks' memory traffic, not the cores, bounds the speed)."""
    return min(4, os.cpu_count() or 1)
#: Upper bound on satellite x time x cell elements handled at once (memory ~ 8 bytes each, x4).
_CHUNK_ELEMENTS = 8_000_000


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
    chunks at once (0: :func:`default_threads`).

    Method (exact on the WGS84 ellipsoid, no trigonometry per cell): along one row of
    cells (a fixed geodetic latitude) the sine of a satellite's elevation is a
    monotonic function of cos(longitude difference), so the cells that see it above
    a mask form one run of columns, whose ends follow from a quadratic equation.
    Each (satellite, instant, row) adds +1 at the run's first column and -1 after
    its last; a cumulative sum along the row gives the counts.
    """
    n_sats, n_times, _ = r_ecef_km.shape
    counts = {mask: np.zeros((n_times, len(grid)), dtype=np.uint16) for mask in masks_deg}
    rows = _RowGeometry(grid)
    reach_cos = _reach_cos(grid, min(masks_deg))
    chunk = max(1, _CHUNK_ELEMENTS // max(1, n_sats * len(rows.lat_rad) * 4))

    def count_chunk(t0: int) -> None:
        r = r_ecef_km[:, t0:t0 + chunk, :]
        nt = r.shape[1]
        t_local = np.broadcast_to(np.arange(nt), r.shape[:2])
        with np.errstate(invalid="ignore"):
            norm = np.linalg.norm(r, axis=-1)
            near = (r @ grid.centre_unit) / norm >= reach_cos(norm)
        if eligible is not None:
            near &= eligible[:, t0:t0 + chunk]
        terms = rows.terms(r[near])
        for mask in masks_deg:
            first, last = rows.column_runs(terms, np.sin(np.radians(mask)))
            counts[mask][t0:t0 + nt] = rows.accumulate(t_local[near], first, last, nt)[:, grid.row, grid.col]

    # NumPy releases the GIL in its array loops, so time chunks counted on threads use
    # every core; each chunk writes its own rows of ``counts``.
    with ThreadPoolExecutor(max_workers=threads or default_threads()) as pool:
        list(pool.map(count_chunk, range(0, n_times, chunk)))
    return counts


#: Satellites propagated at once by :func:`count_in_view`: bounds memory at about
#: 1,024 x n_times x 48 bytes (positions and velocities), 140 MB for a day at 30 s.
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
) -> tuple[dict[tuple[str, str], dict[float, np.ndarray]], dict[str, int]]:
    """Return the satellites-in-view counts of a constellation over ``grid`` at ``times``.

    Result: ``counts[(subset, service)][mask]`` arrays (n_times, n_cells), for every
    subset (boolean masks over ``element_sets``; default ``{"all": everything}``) and
    service (``"direct"``, plus ``"bent_pipe"`` when ``relay_stations`` are given),
    and the number of satellites of each subset that propagate without error all day.
    Satellites are propagated ``chunk`` at a time and the counts added, so memory
    stays bounded whatever the constellation's size.
    """
    n = len(element_sets)
    subsets = dict(subsets or {"all": np.ones(n, dtype=bool)})
    services = ("direct", "bent_pipe") if relay_stations else ("direct",)
    counts = {
        (name, service): {mask: np.zeros((times.count, len(grid)), dtype=np.uint16) for mask in masks_deg}
        for name in subsets for service in services
    }
    usable = dict.fromkeys(subsets, 0)
    jd, fraction = times.julian()
    for lo in range(0, n, chunk):
        r_ecef_km, ok = ecef_positions_km(satrec_array(element_sets[lo:lo + chunk]), jd, fraction)
        relay = gateway_visibility(r_ecef_km, relay_stations) if relay_stations else None
        for name, members in subsets.items():
            part = members[lo:lo + chunk]
            usable[name] += int(np.count_nonzero(ok[part].all(axis=1)))
            for service in services:
                eligible = relay[part] if service == "bent_pipe" else None
                found = satellites_in_view(r_ecef_km[part], grid, masks_deg, eligible, threads)
                for mask, c in found.items():
                    counts[name, service][mask] += c
    return counts, usable


def gateway_visibility(r_ecef_km: np.ndarray, stations: Sequence[Station]) -> np.ndarray:
    """Return a boolean (n_sats, n_times): True where the satellite is above the mask of at
    least one of ``stations`` (the bent-pipe condition: it can relay a user to a gateway)."""
    visible = np.zeros(r_ecef_km.shape[:2], dtype=bool)
    for station in stations:
        elevation_deg, _, _ = look_angles(r_ecef_km, station.ecef_km, station.enu)
        with np.errstate(invalid="ignore"):
            visible |= elevation_deg >= station.min_elevation_deg
    return visible


def _reach_cos(grid: CellGrid, min_mask_deg: float):
    """Return f(r_km) -> cos of the largest angle between the grid centre and a satellite at
    geocentric distance r_km that can still be above ``min_mask_deg`` for some cell."""
    eps = np.radians(min_mask_deg)
    r_min_surface_km = 6356.0  # below the WGS84 polar radius: a conservative horizon

    def reach_cos(r_km):
        lam = np.arccos(np.clip(r_min_surface_km * np.cos(eps) / r_km, -1, 1)) - eps
        return np.cos(np.minimum(lam + grid.radius_rad + np.radians(1.0), np.pi))

    return reach_cos


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

    def terms(self, r_km: np.ndarray) -> dict[str, np.ndarray]:
        """Return the mask-independent terms of the visibility test of satellite positions
        ``r_km`` (n, 3) against every row: with c = cos(lon_sat - lon_cell),
        sin(el) |d| = a c + b and |d|^2 = cc - d c; arrays of shape (n, n_rows)."""
        x, y, z = r_km[:, 0:1], r_km[:, 1:2], r_km[:, 2:3]
        rho = np.hypot(x, y)
        a_ = rho * self.cos_lat
        b_ = z * self.sin_lat - self.height_cell_km
        lon_deg = np.degrees(np.arctan2(y, x))
        centre_lon = self.grid.west_lon_deg + 0.5 * self.grid.n_cols * self.grid.cell_size_deg
        return {
            "aa": a_ * a_, "ab2": 2.0 * a_ * b_, "bb": b_ * b_,
            "cc": (rho**2 + z**2 + self.norm2_cell_km2) - 2.0 * z * self.z_cell_km,
            "d": 2.0 * rho * self.rho_cell_km,
            "lon_deg": (lon_deg - centre_lon + 180.0) % 360.0 - 180.0 + centre_lon,
        }

    def column_runs(self, terms: dict[str, np.ndarray], sin_mask: float) -> tuple[np.ndarray, np.ndarray]:
        """Return (first, last) column of the run of cells of each row that see each satellite
        above the mask: int arrays (n, n_rows); first > last where no cell of the row does."""
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

    def accumulate(self, t_local: np.ndarray, first: np.ndarray, last: np.ndarray, n_times: int) -> np.ndarray:
        """Return the count of runs covering every (time, row, column) of the bounding block."""
        n_rows, width = len(self.lat_rad), self.grid.n_cols + 1
        has_run = first <= last
        base = (t_local[:, None] * n_rows + np.arange(n_rows)[None, :]) * width
        size = n_times * n_rows * width
        diff = np.bincount((base + first)[has_run], minlength=size).astype(np.int32)
        diff -= np.bincount((base + last + 1)[has_run], minlength=size).astype(np.int32)
        return np.cumsum(diff.reshape(n_times, n_rows, width), axis=2)[:, :, :-1].astype(np.uint16)


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
