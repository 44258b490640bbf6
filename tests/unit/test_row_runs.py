"""The coverage kernel on the positions where its walk along rows could go wrong, against a
dense elevation test (sin(el) = (r_sat - r_cell) . up / |r_sat - r_cell| at every cell).

Real constellations are tested the same way, and against Skyfield, in test_coverage.py;
here: satellites over the pole (a row's run is all or nothing), far east and west of the
region (runs that start or end at the block's edge, or lie outside it), at GEO height
(runs wider than the region), grazing low orbits, and a 0 deg mask.
"""

import numpy as np
import pytest

from constops.coverage import CellGrid, satellites_in_view
from constops.geometry import geodetic_to_ecef_km
from constops.settings import load_settings
from tests.support.elevation import dense_counts


@pytest.fixture(scope="module")
def grid():
    return CellGrid.for_region(load_settings().region, 0.5)


def _positions_km(rng, n):
    """Return (n, 8, 3) Earth-fixed positions: random latitudes and longitudes around the
    region (and a few over the poles), random heights from 300 km to GEO."""
    lat_deg = np.concatenate([rng.uniform(-10, 90, n - 4), [90.0, 89.999, -90.0, 88.0]])
    lon_deg = rng.uniform(20, 120, n)
    height_km = np.where(rng.random(n) < 0.2, 35_786.0, rng.uniform(300, 2000, n))
    drift_deg = np.linspace(0, 3.5, 8)  # each satellite moves east over 8 samples
    shape = (n, len(drift_deg))
    return geodetic_to_ecef_km(np.broadcast_to(lat_deg[:, None], shape), lon_deg[:, None] + drift_deg[None, :],
                               np.broadcast_to(height_km[:, None], shape))


def test_row_runs_equal_a_dense_elevation_test_at_the_awkward_positions(grid):
    r_km = _positions_km(np.random.default_rng(11), 400)
    masks_deg = [0.0, 10.0, 40.0]
    fast = satellites_in_view(r_km, grid, masks_deg)
    for mask_deg in masks_deg:
        dense = dense_counts(r_km, grid, mask_deg)
        assert dense.sum() > 0
        assert np.array_equal(fast[mask_deg], dense), mask_deg


def test_a_satellite_over_the_pole_is_seen_by_whole_rows_or_none(grid):
    # At 3,000 km its horizon reaches 47 deg from the pole: the region's north, not its south.
    r_km = geodetic_to_ecef_km(np.array([[90.0]]), np.array([[0.0]]), np.array([[3000.0]]))
    counts = satellites_in_view(r_km, grid, [0.0])[0.0][0]
    by_row = {row: set(counts[grid.row == row].tolist()) for row in np.unique(grid.row)}
    assert all(len(seen) == 1 for seen in by_row.values())
    assert {0, 1} == set().union(*by_row.values())  # the north of the region sees it, the south does not
