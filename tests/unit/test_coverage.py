"""Coverage against an independent brute-force computation, and the figures of merit on
series whose answers are known by hand.

The brute force takes satellite positions from Skyfield (its own SGP4 and TEME->ITRS
frames), cell positions from Skyfield's WGS84, and tests elevation with arcsin, one
cell at a time. Tolerance: 0.1 percentage point on area-weighted percent of time covered.
"""

from datetime import datetime, timezone

import numpy as np
import pytest
from skyfield.api import EarthSatellite, load, wgs84
from skyfield.framelib import itrs

from constops import elements
from constops.coverage import CellGrid, cell_figures, percent_area_covered_series, region_figures, satellites_in_view
from constops.propagation import ecef_positions_km, satrec_array
from constops.settings import load_settings
from constops.timescale import TimeGrid
from tests.support.data import snapshot_bytes
from tests.support.elevation import dense_counts

TENTH_OF_A_PERCENTAGE_POINT = 0.1


@pytest.fixture(scope="module")
def kazakhstan_grid():
    return CellGrid.for_region(load_settings().region, 0.5)


def test_grid_covers_kazakhstan_area_within_half_a_percent(kazakhstan_grid):
    # Natural Earth outline: spherical area about 2,712,800 km^2 (data/SOURCES.md).
    assert abs(kazakhstan_grid.area_km2.sum() - 2_712_800) / 2_712_800 < 0.005
    region = load_settings().region
    assert region.contains(52.0, 70.933) and region.contains(45.6, 63.3)  # Akkol, Baikonur
    assert not region.contains(42.87, 74.59) and not region.contains(54.98, 73.37)  # Bishkek, Omsk


def brute_force_counts(payload, grid, instants, mask_deg):
    """Return the satellites above ``mask_deg`` per (instant, cell), shape (n_instants, n_cells)."""
    ts = load.timescale(builtin=True)
    t = ts.from_datetimes(instants)
    lines = payload.decode().splitlines()
    sats = [EarthSatellite(lines[i + 1], lines[i + 2], lines[i].strip(), ts) for i in range(0, len(lines), 3)]
    sat_xyz = np.stack([sat.at(t).frame_xyz(itrs).km for sat in sats])  # (n_sats, 3, n_times)
    counts = []
    for lat, lon in zip(grid.lat_deg, grid.lon_deg):
        cell = wgs84.latlon(lat, lon).itrs_xyz.km
        up = np.array([np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
                       np.cos(np.radians(lat)) * np.sin(np.radians(lon)),
                       np.sin(np.radians(lat))])
        d = sat_xyz - cell[None, :, None]
        elevation = np.degrees(np.arcsin(np.einsum("sij,i->sj", d, up) / np.linalg.norm(d, axis=1)))
        counts.append((elevation >= mask_deg).sum(axis=0))
    return np.array(counts, dtype=np.uint16).T


@pytest.mark.parametrize("mask_deg", [10.0, 25.0, 40.0])
def test_percent_time_covered_matches_brute_force(kazakhstan_grid, mask_deg):
    payload = snapshot_bytes("qianfan_2025-11-20.tle")
    times = TimeGrid(datetime(2025, 11, 20, tzinfo=timezone.utc), 600.0, 144)
    r_km, _ = ecef_positions_km(satrec_array(elements.parse(payload)), *times.julian())
    counts = satellites_in_view(r_km, kazakhstan_grid, [mask_deg])[mask_deg]
    ours = cell_figures(counts, 600.0)
    brute = brute_force_counts(payload, kazakhstan_grid, [times.instant(s) for s in times.offsets_s], mask_deg)
    theirs = 100.0 * (brute > 0).mean(axis=0)
    w = kazakhstan_grid.area_km2 / kazakhstan_grid.area_km2.sum()
    assert abs(region_figures(ours, kazakhstan_grid.area_km2)["percent_time_covered"] - np.sum(w * theirs)) < TENTH_OF_A_PERCENTAGE_POINT
    # Cell by cell, at most one sample in 144 may flip where a satellite grazes the mask.
    assert np.max(np.abs(ours.percent_time_covered - theirs)) <= 100.0 / 144 + 1e-9
    # Satellites in view per (instant, cell): the same but for grazing flips (< 0.1% of them).
    assert np.count_nonzero(counts != brute) <= 0.001 * counts.size
    assert abs(np.sum(w * ours.sats_in_view_mean) - np.sum(w * brute.mean(axis=0))) < 0.01


def test_gaps_are_counted_and_clipped_at_the_ends_of_the_day():
    # Three cells over 10 samples of 60 s; True = at least one satellite in view.
    in_view = np.array([
        [0, 1, 1, 0, 0, 1, 1, 1, 1, 0],  # gaps: 60 s (start), 120 s, 60 s (end)
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  # never a gap
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # one gap: the whole day
    ]).T.astype(np.uint16)
    figures = cell_figures(in_view * np.array([2, 1, 0], dtype=np.uint16), 60.0)
    assert figures.gap_count.tolist() == [3, 0, 1]
    assert figures.max_gap_s.tolist() == [120.0, 0.0, 600.0]
    assert figures.mean_gap_s.tolist() == [80.0, 0.0, 600.0]
    assert figures.percent_time_covered.tolist() == [60.0, 100.0, 0.0]
    assert figures.sats_in_view_max.tolist() == [2, 1, 0]


def test_region_figures_are_area_weighted():
    counts = np.array([[1, 0], [1, 0], [0, 1], [1, 1]], dtype=np.uint16)  # 4 samples, 2 cells
    figures = cell_figures(counts, 30.0)
    region = region_figures(figures, np.array([3.0, 1.0]))
    assert region["percent_time_covered"] == pytest.approx(0.75 * 75.0 + 0.25 * 50.0)
    assert region["max_gap_s"] == 60.0
    assert percent_area_covered_series(counts, np.array([3.0, 1.0])).tolist() == [75.0, 75.0, 25.0, 100.0]


def test_bent_pipe_counts_only_satellites_that_see_a_gateway(kazakhstan_grid):
    from constops.coverage import gateway_visibility

    payload = snapshot_bytes("qianfan_2025-11-20.tle")
    times = TimeGrid(datetime(2025, 11, 20, tzinfo=timezone.utc), 300.0, 288)
    r_km, _ = ecef_positions_km(satrec_array(elements.parse(payload)), *times.julian())
    akkol = load_settings().station("akkol")
    relay = gateway_visibility(r_km, [akkol])
    direct = satellites_in_view(r_km, kazakhstan_grid, [25.0])[25.0]
    bent_pipe = satellites_in_view(r_km, kazakhstan_grid, [25.0], eligible=relay)[25.0]
    only_relays = satellites_in_view(np.where(relay[..., None], r_km, np.nan), kazakhstan_grid, [25.0])[25.0]
    assert np.array_equal(bent_pipe, only_relays)
    assert (bent_pipe <= direct).all() and bent_pipe.sum() < direct.sum()
    # A relay must be above 10 deg at Akkol: the cell of Akkol itself loses nothing at 25 deg.
    akkol = load_settings().station("akkol")
    akkol_cell = np.argmin(np.hypot(kazakhstan_grid.lat_deg - akkol.lat_deg, kazakhstan_grid.lon_deg - akkol.lon_deg))
    assert np.array_equal(bent_pipe[:, akkol_cell], direct[:, akkol_cell])


def test_row_runs_equal_a_dense_elevation_test_at_every_instant_and_cell(kazakhstan_grid):
    # The same positions, tested the plain way: sin(elevation) = (r_sat - r_cell) . up / |r_sat - r_cell|.
    payload = snapshot_bytes("qianfan_2025-11-20.tle")
    times = TimeGrid(datetime(2025, 11, 20, tzinfo=timezone.utc), 300.0, 288)
    r_km, _ = ecef_positions_km(satrec_array(elements.parse(payload)), *times.julian())
    fast = satellites_in_view(r_km, kazakhstan_grid, [10.0, 25.0, 40.0])
    for mask_deg, counts in fast.items():
        assert np.array_equal(counts, dense_counts(r_km, kazakhstan_grid, mask_deg)), mask_deg
