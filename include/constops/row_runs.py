"""The cells of a grid that see a satellite above a mask, found one row of cells at a time
as a run of columns, and counted with a difference array: the kernel of coverage.

Along one row of cells (a fixed geodetic latitude on the WGS84 ellipsoid) the sine of a
satellite's elevation is a monotonic function of c = cos(longitude difference): with
a = rho cos(lat), b = z sin(lat) - r_cell . up, the offset d = r_sat - r_cell has
sin(el) |d| = a c + b and |d|^2 = cc - dd c. So the cells above a mask form one run of
columns around the satellite's longitude; a cell is in it when a c + b >= 0 and
(a c + b)^2 >= sin(mask)^2 |d|^2, the plain elevation test without a square root or any
trigonometry per cell. A run moves by a few columns from one row to the next, so its ends
are walked from the previous row's. Each (sample, row) adds +1 at its run's first column
and -1 after its last, in its slot (class and time); a cumulative sum along the row gives
the counts. Masks are nested: a row that sees nothing above one mask sees nothing above a
higher one.

The loops are compiled with Numba (``cache=True``: once per source version, kept on disk)
and release the GIL, so time chunks count on threads. They are loops rather than NumPy
array expressions because the (sample, row) pairs number about 18 million for a
1,296-satellite day: as arrays, every step of the test is a pass of temporaries through
memory, and the walk cannot be written at all (docs/profile.md has the figures).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .constants import WGS84_A_KM, WGS84_E2
from .screening import Target


class RowGeometry:
    """Per-row constants of a grid's cells on the ellipsoid (arrays of shape (n_rows,)) and
    where each cell sits in the grid's bounding block (``cell_at``: cell index, or -1)."""

    def __init__(self, grid):
        self.grid = grid
        self.lat_rad = np.radians(grid.row_lat_deg)
        sin_lat, cos_lat = np.sin(self.lat_rad), np.cos(self.lat_rad)
        n_km = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat**2)
        self.cos_lat, self.sin_lat = cos_lat, sin_lat
        self.rho_cell_km = n_km * cos_lat                 # distance of the row from the axis
        self.z_cell_km = n_km * (1.0 - WGS84_E2) * sin_lat
        self.height_cell_km = self.rho_cell_km * cos_lat + self.z_cell_km * sin_lat  # r_c . up
        self.norm2_cell_km2 = self.rho_cell_km**2 + self.z_cell_km**2
        self.cell_at = np.full((len(self.lat_rad), grid.n_cols), -1, dtype=np.int64)
        self.cell_at[grid.row, grid.col] = np.arange(len(grid.row))
        self.centre_lon_deg = grid.west_lon_deg + 0.5 * grid.n_cols * grid.cell_size_deg
        self.col_step_rad = float(np.radians(grid.cell_size_deg))
        self.cos_col = np.cos(np.arange(grid.n_cols) * self.col_step_rad)  # of column k's offset k * step
        self.sin_col = np.sin(np.arange(grid.n_cols) * self.col_step_rad)

    @property
    def n_rows(self) -> int:
        return len(self.lat_rad)

    def row_span(self, r_km: np.ndarray, min_mask_deg: float) -> tuple[np.ndarray, np.ndarray]:
        """Return (first, stop): the rows [first, stop) worth testing for each position
        ``r_km`` (n, 3); a row farther in latitude from the satellite than the reach of its
        footprint at ``min_mask_deg`` (plus 1 deg) cannot see it."""
        norm_km = np.linalg.norm(r_km, axis=1)
        lat_rad = np.arcsin(r_km[:, 2] / norm_km)
        reach_rad = np.arccos(Target(self.grid.centre_unit, 0.0, min_mask_deg).reach_cos(norm_km))
        first = np.searchsorted(self.lat_rad, lat_rad - reach_rad, side="left")
        stop = np.searchsorted(self.lat_rad, lat_rad + reach_rad, side="right")
        return first, stop

    def column_centre(self, r_km: np.ndarray) -> np.ndarray:
        """Return the satellites' longitudes as fractional column positions (column k's
        centre at k), unwrapped to within 180 deg of the grid's centre; shape (n,)."""
        lon_deg = np.degrees(np.arctan2(r_km[:, 1], r_km[:, 0]))
        lon_deg = (lon_deg - self.centre_lon_deg + 180.0) % 360.0 - 180.0 + self.centre_lon_deg
        return (lon_deg - self.grid.west_lon_deg) / self.grid.cell_size_deg - 0.5

    def add_runs(self, diff: np.ndarray, r_km: np.ndarray, slot: np.ndarray, masks_deg) -> None:
        """Add to ``diff`` (int16, (n_masks, n_slots, n_rows, n_cols + 1)) the +1/-1 ends of
        the runs of cells that see each position ``r_km`` (n, 3), in its slot ``slot`` (n,),
        above each of the ascending ``masks_deg`` (0 deg or higher: the test squares sin(mask))."""
        if masks_deg[0] < 0.0:
            raise ValueError(f"coverage masks must be 0 deg or higher, got {masks_deg[0]} deg")
        first, stop = self.row_span(r_km, masks_deg[0])
        _add_runs(diff, np.hypot(r_km[:, 0], r_km[:, 1]), np.ascontiguousarray(r_km[:, 2]), self.column_centre(r_km),
                  slot, first, stop, np.sin(np.radians(np.asarray(masks_deg, dtype=float))) ** 2,
                  self.cos_lat, self.sin_lat, self.height_cell_km, self.norm2_cell_km2, self.z_cell_km,
                  self.rho_cell_km, self.cos_col, self.sin_col, self.col_step_rad)

    def add_counts(self, counts: np.ndarray, diff: np.ndarray, t0: int) -> None:
        """Add to ``counts`` (uint16, (n_cells, n_classes, n_times)) the runs of one mask's
        ``diff`` (int16, (n_classes * nt, n_rows, n_cols + 1)) whose slots are the times
        [t0, t0 + nt) of every class: the cumulative sum of each row, cell by cell."""
        _add_counts(counts, diff, self.cell_at, t0)


@numba.njit(cache=True, nogil=True)
def _add_runs(diff, rho_km, z_km, centre_col, slot, row_first, row_stop, sin2_mask, cos_lat, sin_lat,
              height_cell_km, norm2_cell_km2, z_cell_km, rho_cell_km, cos_col, sin_col, col_step_rad):
    """Add the +1/-1 ends of every (sample, row, mask) run to ``diff`` (see :class:`RowGeometry`).

    A row's run holds the column ``best`` nearest the satellite's longitude whenever it is
    not empty, and moves by a few columns from one row to the next: each end is walked
    from where it was in the last row that had a run, testing one column at a time."""
    n_masks, n_cols = diff.shape[0], diff.shape[3] - 1
    first = np.empty(n_masks, dtype=np.int64)
    last = np.empty(n_masks, dtype=np.int64)
    for i in range(len(rho_km)):
        rho, z, centre, s = rho_km[i], z_km[i], centre_col[i], slot[i]
        # cos(offset of column k) = cos(k step) cos(centre step) + sin(k step) sin(centre step)
        cos_centre, sin_centre = math.cos(centre * col_step_rad), math.sin(centre * col_step_rad)
        best = min(max(round(centre), 0), n_cols - 1)
        r2 = rho * rho + z * z
        first[:] = best  # any start at or left of best finds the left end (and right for last)
        last[:] = best
        for row in range(row_first[i], row_stop[i]):
            a_ = rho * cos_lat[row]
            b_ = z * sin_lat[row] - height_cell_km[row]
            cc = (r2 + norm2_cell_km2[row]) - 2.0 * z * z_cell_km[row]
            dd = 2.0 * rho * rho_cell_km[row]
            for m in range(n_masks):
                s2 = sin2_mask[m]
                if not _sees(best, a_, b_, cc, dd, s2, cos_col, sin_col, cos_centre, sin_centre):
                    break  # no cell of the row sees it, nor any above a higher mask
                f, la = first[m], last[m]
                # The two ends are walked by two written-out copies: one helper taking the
                # direction as an argument ran the kernel 1.5-1.7 x slower (Numba 0.68).
                if _sees(f, a_, b_, cc, dd, s2, cos_col, sin_col, cos_centre, sin_centre):
                    while f > 0 and _sees(f - 1, a_, b_, cc, dd, s2, cos_col, sin_col, cos_centre, sin_centre):
                        f -= 1
                else:  # the run shrank: it still holds best
                    f += 1
                    while not _sees(f, a_, b_, cc, dd, s2, cos_col, sin_col, cos_centre, sin_centre):
                        f += 1
                if _sees(la, a_, b_, cc, dd, s2, cos_col, sin_col, cos_centre, sin_centre):
                    while la < n_cols - 1 and _sees(la + 1, a_, b_, cc, dd, s2, cos_col, sin_col, cos_centre, sin_centre):
                        la += 1
                else:
                    la -= 1
                    while not _sees(la, a_, b_, cc, dd, s2, cos_col, sin_col, cos_centre, sin_centre):
                        la -= 1
                first[m], last[m] = f, la
                diff[m, s, row, f] += 1
                diff[m, s, row, la + 1] -= 1


@numba.njit(cache=True, nogil=True, inline="always")
def _sees(k, a_, b_, cc, dd, sin2_mask, cos_col, sin_col, cos_centre, sin_centre):
    """Return whether the cell of column ``k`` sees the satellite above the mask:
    sin(el) |d| = a c + b >= sin(mask) |d|, with |d|^2 = cc - dd c (mask >= 0)."""
    c = cos_col[k] * cos_centre + sin_col[k] * sin_centre
    h = a_ * c + b_
    return h >= 0.0 and h * h >= sin2_mask * (cc - dd * c)


@numba.njit(cache=True, nogil=True)
def _add_counts(counts, diff, cell_at, t0):
    """Add the row-wise cumulative sums of ``diff`` to ``counts`` (see :meth:`RowGeometry.add_counts`)."""
    n_slots, n_rows, width = diff.shape
    n_classes = counts.shape[1]
    nt = n_slots // n_classes
    in_view = np.empty((width, n_slots), dtype=np.int32)  # one row's counts, cell-major as ``counts``
    for row in range(n_rows):
        for k in range(n_slots):
            running = 0
            for col in range(width - 1):
                running += diff[k, row, col]
                in_view[col, k] = running
        for col in range(width - 1):
            cell = cell_at[row, col]
            if cell >= 0:
                for c in range(n_classes):
                    for k in range(nt):
                        counts[cell, c, t0 + k] += in_view[col, c * nt + k]
