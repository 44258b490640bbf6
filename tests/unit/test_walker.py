"""Synthetic Walker-delta constellations: geometry at epoch and under SGP4 for a day."""

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from constops.propagation import ecef_positions_km, satrec_array
from constops.timescale import TimeGrid
from constops.walker import mean_motion_rev_per_day, walker_delta

EPOCH = datetime(2025, 11, 20, tzinfo=timezone.utc)
RE_KM = 6378.135
ALT_KM = 1068.0


@pytest.fixture(scope="module")
def shell():
    """Qianfan-like 89 deg: 324/18/1 at 1068 km."""
    return walker_delta(324, 18, 1, ALT_KM, 89.0, EPOCH, raan0_deg=10.0)


def angle_deg(a, b):
    """Return the angle between vectors along the last axis, degrees."""
    cos = np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def test_counts_ids_and_names(shell):
    assert len(shell) == 324
    assert [e.norad_cat_id for e in shell] == list(range(900_000, 900_324))
    assert shell[0].object_name == "WALKER P01-S01"
    assert shell[-1].object_name == "WALKER P18-S18"
    assert len({e.ra_of_asc_node_deg for e in shell}) == 18


def test_orbits_are_circular_at_the_altitude(shell):
    for e in shell:
        assert e.eccentricity == 0.0 and e.bstar_per_earth_radius == 0.0
        assert e.perigee_alt_km == pytest.approx(ALT_KM, abs=1e-6)
        assert e.apogee_alt_km == pytest.approx(ALT_KM, abs=1e-6)
        assert e.inclination_deg == 89.0
        assert e.epoch == EPOCH
    assert mean_motion_rev_per_day(ALT_KM) == pytest.approx(13.51, abs=0.01)


def test_raan_spacing(shell):
    raans = [shell[p * 18].ra_of_asc_node_deg for p in range(18)]
    assert raans == pytest.approx([(10.0 + 20.0 * p) % 360 for p in range(18)])


def test_phase_spacing_in_plane_and_between_planes():
    sats = walker_delta(12, 3, 2, 550.0, 53.0, EPOCH)
    anomalies = np.array([e.mean_anomaly_deg for e in sats]).reshape(3, 4)
    assert anomalies[0] == pytest.approx([0, 90, 180, 270])
    # plane p is shifted by p * F * 360 / T = p * 60 deg
    assert anomalies[1] == pytest.approx([60, 150, 240, 330])
    assert anomalies[2] == pytest.approx([120, 210, 300, 30])


def test_radii_stay_near_the_altitude_for_a_day(shell):
    grid = TimeGrid(EPOCH, 600.0, 145)  # one day in 10 min steps
    r_km, ok = ecef_positions_km(satrec_array(shell), *grid.julian())
    assert ok.all()
    radius_km = np.linalg.norm(r_km, axis=-1)
    assert np.abs(radius_km - (RE_KM + ALT_KM)).max() < 15.0


def test_in_plane_separation_holds_after_12_hours(shell):
    grid = TimeGrid(EPOCH, 12 * 3600.0, 2)  # epoch and 12 h later
    r_km, _ = ecef_positions_km(satrec_array(shell), *grid.julian())
    plane = r_km[:18]  # plane 1, satellites in order of argument of latitude
    neighbours = angle_deg(plane, np.roll(plane, -1, axis=0))
    assert neighbours[:, 0] == pytest.approx(20.0, abs=0.05)
    assert neighbours[:, 1] == pytest.approx(20.0, abs=0.1)


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"total": 10, "planes": 3}, "total"),
    ({"planes": 0}, "planes"),
    ({"phasing": 3}, "phasing"),
    ({"phasing": -1}, "phasing"),
    ({"altitude_km": 0.0}, "altitude_km"),
    ({"altitude_km": -100.0}, "altitude_km"),
    ({"altitude_km": 100_000.0}, "altitude_km"),
    ({"inclination_deg": 190.0}, "inclination_deg"),
    ({"epoch": datetime(2025, 11, 20)}, "epoch"),
    ({"first_norad_cat_id": 0}, "first_norad_cat_id"),
    ({"total": 12.0}, "total"),
])
def test_invalid_arguments_raise(kwargs, argument):
    arguments = {"total": 12, "planes": 3, "phasing": 1, "altitude_km": 1068.0,
                 "inclination_deg": 89.0, "epoch": EPOCH} | kwargs
    with pytest.raises(ValueError, match=f"^{argument}="):
        walker_delta(**arguments)


def test_epoch_in_another_zone_is_stored_as_utc():
    plus5 = timezone(timedelta(hours=5))
    [sat] = walker_delta(1, 1, 0, 1068.0, 89.0, datetime(2025, 11, 20, 5, tzinfo=plus5))
    assert sat.epoch == EPOCH and sat.epoch.utcoffset() == timedelta(0)
