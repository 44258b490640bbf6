"""The plain elevation test, one instant and cell at a time: the reference the coverage
kernel's counts must equal exactly (tests/unit/test_coverage.py, test_row_runs.py)."""

import numpy as np

from constops.geometry import geodetic_to_ecef_km


def dense_counts(r_km: np.ndarray, grid, mask_deg: float) -> np.ndarray:
    """Return the satellites above ``mask_deg`` at every (instant, cell) of ``grid``, uint16
    (n_times, n_cells), from Earth-fixed positions ``r_km`` (n_sats, n_times, 3):
    sin(elevation) = (r_sat - r_cell) . up / |r_sat - r_cell| (NaN positions see nothing)."""
    cells_km = geodetic_to_ecef_km(grid.lat_deg, grid.lon_deg, 0.0)
    counts = np.zeros((r_km.shape[1], len(grid)), dtype=np.uint16)
    for k in range(r_km.shape[1]):
        d = r_km[:, k, None, :] - cells_km[None]
        sin_el = np.einsum("scj,cj->sc", d, grid.up) / np.linalg.norm(d, axis=-1)
        counts[k] = (sin_el >= np.sin(np.radians(mask_deg))).sum(axis=0)
    return counts
