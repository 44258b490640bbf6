"""Look angles against Skyfield (a reference we did not write), on the real Qianfan snapshot.

Tolerance: 0.01 degree in elevation and azimuth. Our TEME->Earth-fixed rotation uses
GMST 1982 with UT1 = UTC; Skyfield uses its UT1 table, which moves a LEO look angle
by a few thousandths of a degree.
"""

import numpy as np
from skyfield.api import EarthSatellite, load, wgs84

from constops import elements
from constops.geometry import enu_basis, geodetic_to_ecef_km, look_angles
from constops.propagation import ecef_positions_km, satrec_array
from constops.settings import load_settings
from constops.timescale import TimeGrid
from tests.support.data import snapshot_bytes

ONE_HUNDREDTH_DEG = 0.01
#: The configured Akkol gateway (defaults.toml): the tests check what the pipeline computes.
AKKOL = load_settings().station("akkol")


def _skyfield_satellites(payload: bytes):
    ts = load.timescale(builtin=True)
    lines = payload.decode().splitlines()
    return ts, [EarthSatellite(lines[i + 1], lines[i + 2], lines[i].strip(), ts) for i in range(0, len(lines), 3)]


def test_wgs84_site_position_matches_skyfield_to_a_millimetre():
    for lat, lon, alt_m in [(AKKOL.lat_deg, AKKOL.lon_deg, AKKOL.alt_m), (-33.9, 18.4, 0.0), (89.9, -120.0, 3000.0)]:
        ours = geodetic_to_ecef_km(lat, lon, alt_m / 1000)
        theirs = wgs84.latlon(lat, lon, elevation_m=alt_m).itrs_xyz.km
        assert np.max(np.abs(ours - theirs)) < 1e-6


def test_elevation_and_azimuth_match_skyfield_within_a_hundredth_of_a_degree():
    from datetime import datetime, timezone

    payload = snapshot_bytes("qianfan_2025-11-20.tle")
    sets = elements.parse(payload)
    ts, sky_sats = _skyfield_satellites(payload)
    grid = TimeGrid(datetime(2025, 11, 20, tzinfo=timezone.utc), 397.0, 218)  # one day, odd step
    r_km, ok = ecef_positions_km(satrec_array(sets), *grid.julian())
    el, az, _ = look_angles(r_km, AKKOL.ecef_km, AKKOL.enu)
    t = ts.from_datetimes([grid.instant(s) for s in grid.offsets_s])
    site = wgs84.latlon(AKKOL.lat_deg, AKKOL.lon_deg, elevation_m=AKKOL.alt_m)
    worst_el = worst_az = 0.0
    for i, sat in enumerate(sky_sats):
        alt, azimuth, _ = (sat - site).at(t).altaz()
        worst_el = max(worst_el, np.max(np.abs(el[i] - alt.degrees)))
        visible = alt.degrees > 0  # azimuth is ill-defined overhead only; compare all above horizon
        d_az = (az[i][visible] - azimuth.degrees[visible] + 180) % 360 - 180
        worst_az = max(worst_az, np.max(np.abs(d_az), initial=0.0))
    assert ok.all()
    assert worst_el < ONE_HUNDREDTH_DEG
    assert worst_az < ONE_HUNDREDTH_DEG


def test_up_vector_is_the_ellipsoid_normal():
    east, north, up = enu_basis(AKKOL.lat_deg, AKKOL.lon_deg)
    assert np.allclose([east @ north, east @ up, north @ up], 0.0, atol=1e-12)
    assert abs(np.degrees(np.arcsin(up[2])) - AKKOL.lat_deg) < 1e-9
