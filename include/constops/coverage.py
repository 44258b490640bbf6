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

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .geometry import enu_basis, geodetic_to_ecef_km
from .sites import Region

AUTHALIC_RADIUS_KM = 6371.0072
#: Upper bound on satellite x time x cell elements handled at once (memory ~ 8 bytes each, x4).
_CHUNK_ELEMENTS = 8_000_000


@dataclass(frozen=True)
class CellGrid:
    """The cells of a region: centres (deg), areas (km^2) and stable integer ids."""

    region_id: str
    cell_size_deg: float
    cell_id: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    area_km2: np.ndarray

    @classmethod
    def for_region(cls, region: Region, cell_size_deg: float) -> "CellGrid":
        """Return the cells of the global ``cell_size_deg`` grid whose centres lie in ``region``."""
        lon_min, lat_min, lon_max, lat_max = region.geometry.bounds
        rows = np.arange(np.floor((lat_min + 90) / cell_size_deg), np.ceil((lat_max + 90) / cell_size_deg))
        cols = np.arange(np.floor((lon_min + 180) / cell_size_deg), np.ceil((lon_max + 180) / cell_size_deg))
        row, col = (a.ravel() for a in np.meshgrid(rows, cols, indexing="ij"))
        lat = (row + 0.5) * cell_size_deg - 90.0
        lon = (col + 0.5) * cell_size_deg - 180.0
        inside = region.contains(lat, lon)
        row, col, lat, lon = row[inside], col[inside], lat[inside], lon[inside]
        half = np.radians(cell_size_deg / 2)
        area = AUTHALIC_RADIUS_KM**2 * np.radians(cell_size_deg) * (
            np.sin(np.radians(lat) + half) - np.sin(np.radians(lat) - half)
        )
        n_cols = int(round(360 / cell_size_deg))
        cell_id = (row * n_cols + col).astype(np.int64)
        return cls(region.region_id, cell_size_deg, cell_id, lat, lon, area)

    def __len__(self) -> int:
        return len(self.cell_id)

    @cached_property
    def ecef_km(self) -> np.ndarray:
        """Return the cell centres on the ellipsoid surface, Earth-fixed, shape (n_cells, 3), km."""
        return geodetic_to_ecef_km(self.lat_deg, self.lon_deg, 0.0)

    @cached_property
    def up(self) -> np.ndarray:
        """Return the ellipsoid normals at the cell centres, shape (n_cells, 3)."""
        return enu_basis(self.lat_deg, self.lon_deg)[:, 2, :]


def satellites_in_view(r_ecef_km: np.ndarray, grid: CellGrid, masks_deg: Sequence[float]) -> dict[float, np.ndarray]:
    """Return, for each mask, the number of satellites above it at every (time, cell),
    as uint16 arrays of shape (n_times, n_cells).

    ``r_ecef_km`` has shape (n_sats, n_times, 3); NaN positions (SGP4 errors) see nothing.
    Elevation above the mask is tested without trigonometry: the satellite's height
    above the cell's horizontal plane divided by its range is sin(elevation).
    """
    n_sats, n_times, _ = r_ecef_km.shape
    counts = {mask: np.zeros((n_times, len(grid)), dtype=np.uint16) for mask in masks_deg}
    sin_masks = {mask: np.sin(np.radians(mask)) for mask in masks_deg}
    cell_height_km = np.einsum("ij,ij->i", grid.ecef_km, grid.up)
    cell_norm2 = np.einsum("ij,ij->i", grid.ecef_km, grid.ecef_km)
    chunk = max(1, _CHUNK_ELEMENTS // max(1, n_sats * len(grid)))
    for t0 in range(0, n_times, chunk):
        r = r_ecef_km[:, t0:t0 + chunk, :].reshape(-1, 3)
        height_km = r @ grid.up.T - cell_height_km
        range2 = np.einsum("ij,ij->i", r, r)[:, None] - 2.0 * (r @ grid.ecef_km.T) + cell_norm2
        with np.errstate(invalid="ignore"):
            sin_elevation = height_km / np.sqrt(range2)
            for mask in masks_deg:
                visible = (sin_elevation >= sin_masks[mask]).reshape(n_sats, -1, len(grid))
                counts[mask][t0:t0 + chunk] = visible.sum(axis=0, dtype=np.uint16)
    return counts


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
    padded = np.zeros((n_times + 2, n_cells), dtype=np.int8)
    padded[1:-1] = uncovered
    edges = np.diff(padded, axis=0)
    starts_t, starts_c = np.nonzero(edges == 1)
    ends_t, ends_c = np.nonzero(edges == -1)
    # np.nonzero orders by time then cell; sort both by cell then time to pair them.
    start_order = np.lexsort((starts_t, starts_c))
    end_order = np.lexsort((ends_t, ends_c))
    cells = starts_c[start_order]
    lengths_s = (ends_t[end_order] - starts_t[start_order]) * step_s
    count = np.bincount(cells, minlength=n_cells)
    total_s = np.bincount(cells, weights=lengths_s, minlength=n_cells)
    max_s = np.zeros(n_cells)
    np.maximum.at(max_s, cells, lengths_s)
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
