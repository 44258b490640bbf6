"""The cells of a grid that see a satellite above a mask, found one row of cells at a time
as a run of columns, and counted with a difference array: the kernel of coverage.

Along one row of cells (a fixed geodetic latitude on the WGS84 ellipsoid) the sine of a
satellite's elevation is a monotonic function of c = cos(longitude difference): with
a = rho cos(lat), b = z sin(lat) - r_cell . up, the offset d = r_sat - r_cell has
sin(el) |d| = a c + b and |d|^2 = cc - dd c. So the cells above a mask form one run of
columns around the satellite's longitude, whose half-width follows from the larger root
of a quadratic in c. Each (sample, row) adds +1 at its run's first column and -1 after its
last, in its slot (class and time); a cumulative sum along the row gives the counts. Masks
are nested: a row that sees nothing above one mask sees nothing above a higher one.

The loops are compiled with Numba (``cache=True``: once per source version, on disk, then
loaded in about 0.1 s) and release the GIL, so time chunks count on threads. Written as
loops rather than NumPy array expressions because the (sample, row) pairs number about
40 million for a 1,296-satellite day: as arrays they are fourteen passes of temporaries
through memory per mask, as loops one pass through the registers (see docs/profile.md).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .constants import WGS84_A_KM, WGS84_E2
from .screening import Target

#: Below this, a = rho cos(lat) is zero (the satellite is over a pole, or the row is):
#: the run's half-width comes from the linear equation.
_LINEAR_BELOW = 1e-9
#: Abramowitz & Stegun 4.4.46: acos(x) = sqrt(1 - x) (a0 + a1 x + ... + a7 x^7) on [0, 1],
#: error at most 2e-8 rad; five times cheaper than libm's acos, which was half the kernel.
_ACOS_COEFFS = (1.5707963050, -0.2145988016, 0.0889789874, -0.0501743046,
                0.0308918810, -0.0170881256, 0.0066700901, -0.0012624911)
#: Bound (rad) on the error of :func:`_acos_fast` with margin (tests/unit/test_row_runs.py
#: measures it): where a run's end lies this close to a column boundary, libm's acos decides.
ACOS_GUARD_RAD = 1e-7


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
        above each of the ascending ``masks_deg``."""
        first, stop = self.row_span(r_km, masks_deg[0])
        _add_runs(diff, np.hypot(r_km[:, 0], r_km[:, 1]), np.ascontiguousarray(r_km[:, 2]), self.column_centre(r_km),
                  slot, first, stop, np.sin(np.radians(np.asarray(masks_deg, dtype=float))) ** 2,
                  self.cos_lat, self.sin_lat, self.height_cell_km, self.norm2_cell_km2, self.z_cell_km,
                  self.rho_cell_km, float(np.degrees(1.0) / self.grid.cell_size_deg))

    def add_counts(self, counts: np.ndarray, diff: np.ndarray, t0: int) -> None:
        """Add to ``counts`` (uint16, (n_cells, n_classes, n_times)) the runs of one mask's
        ``diff`` (int16, (n_classes * nt, n_rows, n_cols + 1)) whose slots are the times
        [t0, t0 + nt) of every class: the cumulative sum of each row, cell by cell."""
        _add_counts(counts, diff, self.cell_at, t0)


@numba.njit(cache=True, nogil=True)
def _add_runs(diff, rho_km, z_km, centre_col, slot, row_first, row_stop, sin2_mask,
              cos_lat, sin_lat, height_cell_km, norm2_cell_km2, z_cell_km, rho_cell_km, cols_per_rad):
    """Add the +1/-1 ends of every (sample, row, mask) run to ``diff`` (see :class:`RowGeometry`)."""
    n_masks, width = diff.shape[0], diff.shape[3]
    n_cols = width - 1
    guard_cols = ACOS_GUARD_RAD * cols_per_rad
    for i in range(len(rho_km)):
        rho, z, centre, s = rho_km[i], z_km[i], centre_col[i], slot[i]
        r2 = rho * rho + z * z
        for row in range(row_first[i], row_stop[i]):
            a_ = rho * cos_lat[row]
            b_ = z * sin_lat[row] - height_cell_km[row]
            qa = a_ * a_
            ab2 = 2.0 * a_ * b_
            bb = b_ * b_
            cc = (r2 + norm2_cell_km2[row]) - 2.0 * z * z_cell_km[row]
            dd = 2.0 * rho * rho_cell_km[row]
            for m in range(n_masks):
                qb = ab2 + sin2_mask[m] * dd
                qc = bb - sin2_mask[m] * cc
                # The larger root: above it (and only there) a c + b >= sin(mask) |d| holds.
                if qa > _LINEAR_BELOW:
                    c_min = (math.sqrt(max(qb * qb - 4.0 * qa * qc, 0.0)) - qb) / (2.0 * qa)
                elif qb != 0.0:
                    c_min = -qc / qb
                else:
                    break
                if c_min > 1.0:
                    break
                if c_min <= -1.0:
                    first, last = 0, n_cols - 1
                else:
                    first, last = _run_ends(centre, c_min, cols_per_rad, guard_cols, n_cols)
                if first > last:  # the run lies outside the block: so do those of higher masks
                    break
                diff[m, s, row, first] += 1
                diff[m, s, row, last + 1] -= 1


@numba.njit(cache=True, nogil=True, inline="always")
def _run_ends(centre, c_min, cols_per_rad, guard_cols, n_cols):
    """Return (first, last): the columns k, clipped to [0, n_cols), with |k - centre| at most
    acos(c_min) * cols_per_rad; the same as with libm's acos (see ``ACOS_GUARD_RAD``)."""
    half_width = _acos_fast(c_min) * cols_per_rad
    first = math.ceil(centre - half_width - guard_cols)
    last = math.floor(centre + half_width + guard_cols)
    if first != math.ceil(centre - half_width + guard_cols) or last != math.floor(centre + half_width - guard_cols):
        half_width = math.acos(c_min) * cols_per_rad  # an end near a boundary: decide exactly
        first, last = math.ceil(centre - half_width), math.floor(centre + half_width)
    return max(0, int(first)), min(n_cols - 1, int(last))


@numba.njit(cache=True, nogil=True, inline="always")
def _acos_fast(x):
    """Return acos(x) (rad) for x in [-1, 1] within 2e-8 rad (see ``_ACOS_COEFFS``)."""
    a0, a1, a2, a3, a4, a5, a6, a7 = _ACOS_COEFFS
    y = abs(x)
    p = math.sqrt(1.0 - y) * (a0 + y * (a1 + y * (a2 + y * (a3 + y * (a4 + y * (a5 + y * (a6 + y * a7)))))))
    return p if x >= 0.0 else math.pi - p


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
