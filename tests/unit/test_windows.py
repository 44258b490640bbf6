"""Continuous visibility windows against Skyfield, on real CelesTrak element sets.

GEO: the real KazSat element sets in data/snapshots/kazsat/, over the UTC day of the
file's name, seen from the configured Akkol gateway. kazsat_2026-05-24.tle holds KAZSAT-2
(37749) and KAZSAT-3 (39728) verbatim from CelesTrak's GROUP=geo answer of
2026-05-24T05:38Z (mirror astrion-tech/celestrak-mirror, tle/geo.tle, commit 4cfd29ed;
epochs 2026-05-23; sha256 56d7b217...). No KazSat element set of 2025-11-20 was found.
LEO: the real Qianfan snapshot of 2025-11-20.

Tolerances: elevations, azimuths and their extremes within 0.01 degree of Skyfield's
``(sat - site).at(t).altaz()``; the TCA within 60 s (see
``test_kazsat_max_elevation_and_tca_match_skyfield`` for why so loose).
"""

import dataclasses
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from skyfield.api import wgs84

from constops import elements
from constops.passes import find_passes
from constops.propagation import propagation_failures
from constops.windows import Window, azimuth_arc, continuous_windows, look_angles_at
from tests.support.data import REPO, snapshot_bytes
from tests.unit.test_passes import AKKOL, one_satellite_payload, skyfield_satellites

ONE_HUNDREDTH_DEG = 0.01
TEN_THOUSANDTH_DEG = 1e-4
ONE_MINUTE_S = 60.0
KAZSAT_DIR = REPO / "data" / "snapshots" / "kazsat"
QIANFAN_DAY = datetime(2025, 11, 20, tzinfo=timezone.utc)


def kazsat_day() -> tuple[bytes, datetime]:
    """Return (payload, day start UTC) of the newest real KazSat snapshot ``kazsat_<date>.tle``."""
    files = sorted(KAZSAT_DIR.glob("kazsat_*.tle"))
    assert files, f"no real KazSat GEO element set in {KAZSAT_DIR}: the GEO tests need one (it is bundled)"
    day = date.fromisoformat(files[-1].stem.removeprefix("kazsat_"))
    return files[-1].read_bytes(), datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def akkol_site():
    """Return Skyfield's Akkol, from the project's configured station."""
    return wgs84.latlon(AKKOL.lat_deg, AKKOL.lon_deg, elevation_m=AKKOL.alt_m)


def skyfield_altaz(sat, ts, start: datetime, seconds: float, step_s: float):
    """Return (t, altitude_deg, azimuth_deg) of Skyfield's satellite every ``step_s`` from
    ``start`` up to and including ``start + seconds``."""
    t = ts.from_datetime(start) + np.arange(0.0, seconds + step_s / 2, step_s) / 86400.0
    alt, az, _ = (sat - akkol_site()).at(t).altaz()
    return t, alt.degrees, az.degrees


@pytest.fixture(scope="module")
def kazsat():
    """Return (payload, day start, our windows at a 10-degree mask, Skyfield's satellites by NORAD id)."""
    payload, start = kazsat_day()
    windows = continuous_windows(elements.parse(payload), AKKOL, start, start + timedelta(days=1), 10.0)
    ts, satellites = skyfield_satellites(payload)
    # The tests below check each window: they need every KazSat satellite to have one.
    assert len(satellites) >= 2 and len(windows) == len(satellites)
    return payload, start, windows, ts, {sat.model.satnum: sat for sat in satellites}


def test_each_kazsat_satellite_has_exactly_one_window_over_the_day_and_no_pass(kazsat):
    payload, start, windows, _, by_norad = kazsat
    sets = elements.parse(payload)
    assert [w.norad_cat_id for w in windows] == sorted(by_norad) == sorted(s.norad_cat_id for s in sets)
    assert continuous_windows(sets[::-1], AKKOL, start, start + timedelta(days=1), 10.0) == windows
    assert all(w.start == start and w.end == start + timedelta(days=1) and w.duration_s == 86400.0 for w in windows)
    assert find_passes(sets, AKKOL, start, start + timedelta(days=1), 10.0) == []


def test_kazsat_elevation_and_azimuth_at_97_instants_match_skyfield(kazsat):
    payload, start, _, ts, by_norad = kazsat
    sets = elements.parse(payload)
    instants = [start + timedelta(minutes=15 * k) for k in range(97)]
    elevation_deg, azimuth_deg = look_angles_at(sets, AKKOL, instants)
    for i, element_set in enumerate(sets):
        _, alt, az = skyfield_altaz(by_norad[element_set.norad_cat_id], ts, start, 86400.0, 900.0)
        assert len(alt) == 97
        assert np.abs(elevation_deg[i] - alt).max() < ONE_HUNDREDTH_DEG
        assert np.abs(azimuth_deg[i] - az).max() < ONE_HUNDREDTH_DEG


def test_kazsat_max_elevation_and_tca_match_skyfield(kazsat):
    # A station-kept GEO satellite's elevation swings by about a tenth of a degree over a
    # sidereal day, so within a minute of its maximum it changes by ~1e-6 degree: a
    # model difference that small (UT1 taken as UTC here, Skyfield's full Earth
    # orientation there: ~1e-4 degree, drifting slowly) moves the maximum by tens of
    # seconds (60 to 110 s on the days of the two KazSat files). The maximum elevation itself
    # is well defined; its instant is not. So the TCA is checked by what it is for: Skyfield
    # sees the satellite at our TCA within 1e-4 degree of its own maximum.
    _, start, windows, ts, by_norad = kazsat
    for w in windows:
        sat = by_norad[w.norad_cat_id]
        t, alt, _ = skyfield_altaz(sat, ts, start, 86400.0, 60.0)
        near = max(start, t[np.argmax(alt)].utc_datetime() - timedelta(seconds=300))
        _, alt_fine, _ = skyfield_altaz(sat, ts, near, 600.0, 1.0)
        assert abs(w.max_elevation_deg - alt_fine.max()) < ONE_HUNDREDTH_DEG
        at_our_tca = (sat - akkol_site()).at(ts.from_datetime(w.tca)).altaz()[0].degrees
        assert alt_fine.max() - at_our_tca < TEN_THOUSANDTH_DEG
        assert w.tca_azimuth_deg == pytest.approx(
            (sat - akkol_site()).at(ts.from_datetime(w.tca)).altaz()[1].degrees, abs=ONE_HUNDREDTH_DEG)


def test_kazsat_lowest_elevation_and_azimuth_range_match_a_60_s_skyfield_scan(kazsat):
    _, start, windows, ts, by_norad = kazsat
    for w in windows:
        _, alt, az = skyfield_altaz(by_norad[w.norad_cat_id], ts, start, 86400.0, 60.0)
        assert az.max() - az.min() < 180.0  # no wrap at north: plain min and max are the arc
        assert abs(w.lowest_elevation_deg - alt.min()) < ONE_HUNDREDTH_DEG
        assert abs(w.azimuth_min_deg - az.min()) < ONE_HUNDREDTH_DEG
        assert abs(w.azimuth_max_deg - az.max()) < ONE_HUNDREDTH_DEG
        assert abs(w.start_azimuth_deg - az[0]) < ONE_HUNDREDTH_DEG and abs(w.end_azimuth_deg - az[-1]) < ONE_HUNDREDTH_DEG
        assert w.elevation_drift_deg == pytest.approx(alt.max() - alt.min(), abs=ONE_HUNDREDTH_DEG)
        assert w.azimuth_drift_deg == pytest.approx(az.max() - az.min(), abs=ONE_HUNDREDTH_DEG)


def test_a_mask_above_the_geo_satellites_highest_elevation_gives_no_window(kazsat):
    payload, start, windows, _, _ = kazsat
    sets = elements.parse(payload)
    for w in windows:
        (element_set,) = [s for s in sets if s.norad_cat_id == w.norad_cat_id]
        mask_deg = w.max_elevation_deg + 0.01
        assert continuous_windows([element_set], AKKOL, start, start + timedelta(days=1), mask_deg) == []


def test_a_mask_between_the_geo_satellites_lowest_and_highest_elevation_gives_no_window(kazsat):
    # Skyfield confirms that the satellite does cross that mask during the day.
    payload, start, windows, ts, by_norad = kazsat
    sets = elements.parse(payload)
    end = start + timedelta(days=1)
    for w in windows:
        (element_set,) = [s for s in sets if s.norad_cat_id == w.norad_cat_id]
        mask_deg = 0.5 * (w.lowest_elevation_deg + w.max_elevation_deg)
        _, events = by_norad[w.norad_cat_id].find_events(
            akkol_site(), ts.from_datetime(start), ts.from_datetime(end), altitude_degrees=mask_deg)
        assert {0, 2} & set(events.tolist())
        assert continuous_windows([element_set], AKKOL, start, end, mask_deg) == []


def test_qianfan_leo_satellites_have_no_window():
    sets = elements.parse(snapshot_bytes("qianfan_2025-11-20.tle"))
    assert continuous_windows(sets, AKKOL, QIANFAN_DAY, QIANFAN_DAY + timedelta(days=1), 10.0) == []


def test_a_dip_below_the_mask_between_two_samples_above_it_means_no_window():
    # A real LEO satellite at a mask under the horizon: its lowest elevation (far side of
    # the Earth) is ~0.003 degree below its lowest 60 s sample. A mask halfway between
    # the two (measured by Skyfield: every sample above it, a 0.5 s scan below it) must
    # give no window; a mask just under the true minimum gives one.
    payload = one_satellite_payload(snapshot_bytes("qianfan_2025-11-20.tle"), 60380)
    ts, (sat,) = skyfield_satellites(payload)
    span_s = 6 * 3600.0
    _, sampled, _ = skyfield_altaz(sat, ts, QIANFAN_DAY, span_s, 60.0)
    _, fine, _ = skyfield_altaz(sat, ts, QIANFAN_DAY, span_s, 0.5)
    mask_deg = 0.5 * (sampled.min() + fine.min())
    assert sampled.min() - mask_deg > 0.001  # ten times the model difference to Skyfield
    end = QIANFAN_DAY + timedelta(seconds=span_s)
    assert continuous_windows(elements.parse(payload), AKKOL, QIANFAN_DAY, end, mask_deg) == []
    (window,) = continuous_windows(elements.parse(payload), AKKOL, QIANFAN_DAY, end, fine.min() - 0.001)
    assert abs(window.lowest_elevation_deg - fine.min()) < ONE_HUNDREDTH_DEG


def test_a_satellite_whose_propagation_fails_has_no_window():
    # A real record lowered to re-enter during the day (as in test_day_snapshot.py); at a
    # mask of -90 degrees every satellite that propagates is in view all the time.
    (healthy,) = elements.parse(one_satellite_payload(snapshot_bytes("qianfan_2025-11-20.tle"), 60380))
    decaying = dataclasses.replace(healthy, norad_cat_id=99001, mean_motion_rev_per_day=16.0,
                                   bstar_per_earth_radius=0.2, eccentricity=0.001)
    start = healthy.epoch.replace(minute=0, second=0, microsecond=0)
    assert propagation_failures([decaying], start, start + timedelta(days=1), 60.0)
    windows = continuous_windows([decaying, healthy], AKKOL, start, start + timedelta(days=1), -90.0)
    assert [w.norad_cat_id for w in windows] == [healthy.norad_cat_id]


def test_an_azimuth_arc_across_north_goes_from_350_to_10_degrees():
    assert azimuth_arc([350.0, 10.0]) == (350.0, 10.0)
    assert azimuth_arc([5.0, 355.0, 350.0, 10.0, 0.0]) == (350.0, 10.0)
    assert azimuth_arc([120.0, 100.0, 110.0]) == (100.0, 120.0)
    assert azimuth_arc([42.0, 42.0]) == (42.0, 42.0)
    moment = QIANFAN_DAY
    window = Window(1, moment, moment, moment, 30.0, 29.0, 350.0, 0.0, 10.0, 350.0, 10.0, 10.0)
    assert window.azimuth_drift_deg == pytest.approx(20.0)
    assert window.elevation_drift_deg == pytest.approx(1.0)


def test_a_window_whose_highest_instant_is_the_days_end_still_belongs_to_the_day():
    # KazSat-3's daily peak crosses midnight over the year: on some days the highest
    # sample of [start, end] is the end itself, which a pass (TCA in [start, end)) would lose.
    from constops.pass_table import PassTable
    from constops.passes import Pass

    start = datetime(2026, 5, 30, tzinfo=timezone.utc)
    end = start + timedelta(days=1)
    window = Pass(39728, start, end, end, 29.46, 5.0, 195.6, 195.62, 195.62, continuous=True,
                  lowest_elevation_deg=29.4, azimuth_min_deg=195.6, azimuth_max_deg=195.62)
    ordinary = Pass(60379, end - timedelta(minutes=5), end, end + timedelta(minutes=5), 40.0, 10.0, 0.0, 90.0, 180.0)
    assert PassTable.from_passes([window, ordinary]).of_the_day(start, end).to_passes() == [window]  # the other: tomorrow's
