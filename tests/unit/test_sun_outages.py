"""Sun outages of the KazSat links seen from the Akkol control centre, against references we did not write.

* The reference: a brute force over every second of the day, the Sun from PyEphem (VSOP87,
  apparent, topocentric, no refraction) and the satellites from Skyfield (its own SGP4
  frames and time scale), separation = angle between the two directions of the sky.
* Tolerances: an outage's start and end within ``EDGE_TOLERANCE_S`` of the reference's, its
  least separation within ``SEPARATION_TOLERANCE_DEG``. The Almanac's Sun is good to 0.01
  degrees (tests/unit/test_contact_plan.py: under 0.02); the Sun moves 0.0042 degrees a
  second across the sky, so the edges of a central crossing move by a couple of seconds,
  and those of a grazing one more (``edge_tolerance_s``; 2026-10-12: KazSat-3 0.35 degrees
  from the centre against the 0.365 half-angle, 6.6 s). Measured on the six outages of
  2026: edges within 1 s (central) and 3 s (grazing), separations within 0.004 degrees.
* A day away from the equinoxes has none; the day's rows are replaced per (day, station) on
  SQLite and PostgreSQL; a bad beam setting fails naming the setting.
"""

from datetime import date, datetime, timedelta, timezone

import ephem
import numpy as np
import pytest
from skyfield.api import wgs84
from sqlalchemy import insert, select

from constops import elements, snapshots
from constops.antennas import GeoBeam
from constops.day import ingest
from constops.day.assignment import snapshot_for_day
from constops.day.sun_outages import sun_outage_days, sun_outage_stations, sun_outages_day
from constops.reporting import schema
from constops.reporting.store import count_rows
from constops.settings import load_settings
from constops.sun_outages import sun_outages
from tests.support.data import REPO
from tests.unit.test_passes import skyfield_satellites

KAZSAT_TLE = REPO / "data" / "snapshots" / "kazsat" / "kazsat_2026-05-30.tle"
SETTINGS = load_settings(environ={})
SCC = SETTINGS.station("akkol_scc")
HALF_ANGLE_DEG = SCC.geo_beam.sun_outage_half_angle_deg
#: Start and end against the brute force's (s) for a central crossing (see edge_tolerance_s),
#: and the least separation (deg).
EDGE_TOLERANCE_S = 2.0
SEPARATION_TOLERANCE_DEG = 0.02
#: Autumn 2026: KazSat-3 (39728) crosses near the centre, KazSat-2 (37749) grazes the beam's edge.
SEASON_DAY = date(2026, 10, 12)
QUIET_DAY = date(2026, 6, 21)
LATER = datetime(2027, 1, 1, tzinfo=timezone.utc)


def element_sets():
    return elements.parse(KAZSAT_TLE.read_bytes())


#: The brute force's coarse step (s) and margin (deg): the separation moves under 0.005
#: degrees a second, so a second in outage is within 0.1 degrees of the half-angle at the
#: nearest coarse sample; every second of the coarse steps within the margin is then evaluated.
COARSE_S, COARSE_MARGIN_DEG = 20, 0.2


def reference_separations(day: date, seconds: np.ndarray) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Return (NORAD numbers, separations (n_sats, n), elevations (n_sats, n), deg) at the
    ``seconds`` of ``day``: PyEphem's Sun, Skyfield's satellites."""
    ts, satellites = skyfield_satellites(KAZSAT_TLE.read_bytes())
    observer = ephem.Observer()
    observer.lat, observer.lon, observer.elevation = str(SCC.lat_deg), str(SCC.lon_deg), SCC.alt_m
    observer.pressure = 0  # no refraction
    sun, d0 = ephem.Sun(), ephem.Date(datetime(day.year, day.month, day.day))
    sun_enu = np.empty((len(seconds), 3))
    for k, second in enumerate(seconds):
        observer.date = d0 + second / 86_400.0
        sun.compute(observer)
        alt, az = float(sun.alt), float(sun.az)
        sun_enu[k] = np.cos(alt) * np.sin(az), np.cos(alt) * np.cos(az), np.sin(alt)
    site = wgs84.latlon(SCC.lat_deg, SCC.lon_deg, elevation_m=SCC.alt_m)
    times = ts.utc(day.year, day.month, day.day, 0, 0, seconds)
    separations, elevations = [], []
    for satellite in satellites:
        alt, az, _ = (satellite - site).at(times).altaz()
        el, az = alt.radians, az.radians
        sat_enu = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=-1)
        separations.append(np.degrees(np.arccos(np.clip(np.sum(sat_enu * sun_enu, axis=1), -1.0, 1.0))))
        elevations.append(np.degrees(el))
    return [s.model.satnum for s in satellites], np.array(separations), np.array(elevations)


def reference_outages(day: date, half_angle_deg: float) -> list[dict]:
    """Return the outages of ``day`` by brute force: every second near a coarse sample within
    the margin (and so every second of the day that can be in outage)."""
    coarse = np.arange(0, 86_400 + 1, COARSE_S)
    _, separations, _ = reference_separations(day, coarse)
    near = coarse[(separations < half_angle_deg + COARSE_MARGIN_DEG).any(axis=0)]
    seconds = np.unique(np.clip((near[:, None] + np.arange(-COARSE_S, COARSE_S + 1)).ravel(), 0, 86_399))
    norad, separations, elevations = reference_separations(day, seconds)
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    found = []
    for satnum, separation, elevation in zip(norad, separations, elevations):
        inside = (separation < half_angle_deg) & (elevation >= SCC.min_elevation_deg)
        runs = np.split(np.flatnonzero(inside), np.flatnonzero(np.diff(seconds[inside]) > 1) + 1)
        for run in (r for r in runs if len(r)):
            worst = run[int(np.argmin(separation[run]))]
            found.append({"norad_cat_id": satnum, "start": start + timedelta(seconds=int(seconds[run[0]])),
                          "end": start + timedelta(seconds=int(seconds[run[-1]]) + 1),
                          "min_separation_deg": float(separation[worst]),
                          "worst_at": start + timedelta(seconds=int(seconds[worst]))})
    return sorted(found, key=lambda o: (o["start"], o["norad_cat_id"]))


def edge_tolerance_s(min_separation_deg: float) -> float:
    """Return the tolerance on an outage's start and end (s): ``EDGE_TOLERANCE_S`` for a
    crossing through the centre, more for one at ``min_separation_deg`` from it, where the
    Sun's track cuts the edge of the half-angle circle obliquely: an error in the Sun's
    position moves the edge by h / sqrt(h^2 - b^2) times more (b: the least separation)."""
    h, b = HALF_ANGLE_DEG, min_separation_deg
    return EDGE_TOLERANCE_S * h / np.sqrt(h * h - b * b)


@pytest.mark.parametrize("day, norad", [(SEASON_DAY, [37749, 39728]), (date(2026, 3, 2), [37749])])
def test_a_season_days_outages_match_a_brute_force_with_pyephems_sun(day, norad):
    ours = sun_outages(element_sets(), SCC, day, HALF_ANGLE_DEG)
    reference = reference_outages(day, HALF_ANGLE_DEG)
    assert [o.norad_cat_id for o in ours] == [r["norad_cat_id"] for r in reference] == norad
    for o, r in zip(ours, reference):
        tolerance_s = edge_tolerance_s(r["min_separation_deg"])
        assert abs((o.start - r["start"]).total_seconds()) <= tolerance_s
        assert abs((o.end - r["end"]).total_seconds()) <= tolerance_s
        assert abs(o.min_separation_deg - r["min_separation_deg"]) < SEPARATION_TOLERANCE_DEG
        assert o.duration_s == (o.end - o.start).total_seconds() > 0
        assert o.start.date() == day and 5 <= o.worst_at.hour <= 9  # about local noon (UTC+5)


def test_a_central_crossing_lasts_the_beam_and_the_suns_disc():
    # 2026-03-02, KazSat-2: 0.01 degrees from the centre; the Sun crosses 2 x 0.365 degrees
    # at 0.2507 cos(dec) degrees a minute, a little slower along the tilted track.
    ours = sun_outages(element_sets(), SCC, date(2026, 3, 2), HALF_ANGLE_DEG)
    assert [o.norad_cat_id for o in ours] == [37749] and ours[0].min_separation_deg < 0.05
    assert 2 * HALF_ANGLE_DEG / 0.2507 * 60 < ours[0].duration_s < 1.1 * 2 * HALF_ANGLE_DEG / 0.2507 * 60


def test_a_day_away_from_the_equinoxes_has_none():
    assert sun_outages(element_sets(), SCC, QUIET_DAY, HALF_ANGLE_DEG) == []
    assert sun_outages(element_sets(), SCC, date(2026, 12, 21), HALF_ANGLE_DEG) == []


def test_the_half_angle_is_half_the_beam_plus_the_suns_radius():
    beam = GeoBeam(diameter_m=9.0, frequency_ghz=11.95)
    assert beam.hpbw_deg == pytest.approx(70 * 0.0250872 / 9.0, rel=1e-5)
    assert beam.sun_outage_half_angle_deg == pytest.approx(beam.hpbw_deg / 2 + 0.267)
    assert GeoBeam(half_angle_deg=0.5).sun_outage_half_angle_deg == 0.5
    assert SCC.geo_beam == beam


@pytest.mark.parametrize("beam, says", [
    ("{ diameter_m = 0, frequency_ghz = 11.95 }", "geo_beam diameter_m must be a number above 0, not 0"),
    ("{ diameter_m = 9.0, frequency_ghz = -12 }", "geo_beam frequency_ghz must be a number above 0, not -12"),
    ('{ diameter_m = "9 m", frequency_ghz = 12 }', "geo_beam diameter_m must be a number above 0, not '9 m'"),
    ("{ half_angle_deg = 0 }", "geo_beam half_angle_deg must be a number above 0"),
    ("{ diameter_m = 9.0 }", "geo_beam needs diameter_m and frequency_ghz, or half_angle_deg"),
    ("{ diameter = 9.0, frequency_ghz = 12 }", "geo_beam: diameter is not a key"),
    ("9.0", "geo_beam must be a table"),
])
def test_a_bad_beam_fails_naming_the_setting(tmp_path, beam, says):
    path = tmp_path / "bad.toml"
    path.write_text('[[stations]]\nstation_id = "akkol_scc"\nlat_deg = 52.0\nlon_deg = 70.9333\nalt_m = 400\n'
                    f"min_elevation_deg = 5\ngeo_beam = {beam}\n"
                    '[constellations.qianfan]\nstations = ["akkol_scc"]\n')
    with pytest.raises(ValueError) as caught:
        load_settings(path, environ={})
    assert says in str(caught.value) and "[[stations]] 'akkol_scc'" in str(caught.value) and str(path) in str(caught.value)


def test_only_stations_with_a_beam_serving_a_geo_constellation_are_computed():
    assert [(s.station_id, served) for s, served in sun_outage_stations(SETTINGS, ["qianfan", "kazsat"])] == [
        ("akkol_scc", ["kazsat"])]  # akkol serves KazSat too, but has no geo_beam
    assert sun_outage_stations(SETTINGS, ["qianfan"]) == []


def test_the_days_rows_are_replaced_per_day_and_station(store):
    engine, archive = store
    snapshots.import_file(engine, archive, KAZSAT_TLE, "kazsat")
    ids = {}
    for day in (SEASON_DAY, QUIET_DAY):
        ingest.ingest_day(engine, archive, SETTINGS, "kazsat", day, LATER, None, choice="nearest", max_age_days=200)
        ids[day] = {"kazsat": snapshot_for_day(engine, "kazsat", day).snapshot_id}
    summary = sun_outages_day(engine, SETTINGS, SEASON_DAY, ids[SEASON_DAY])
    [station] = summary["stations"]
    assert station["station_id"] == "akkol_scc" and station["outages"] == 2
    assert station["half_angle_deg"] == pytest.approx(HALF_ANGLE_DEG)
    key = {"day": SEASON_DAY, "station_id": "akkol_scc"}
    with engine.connect() as conn:
        first = conn.execute(select(schema.sun_outages).order_by("outage_start")).mappings().all()
    assert [r["norad_cat_id"] for r in first] == [37749, 39728]
    stale = {**first[0], "norad_cat_id": 99999, "computed_at": first[0]["computed_at"]}
    other_station = {**first[0], "station_id": "elsewhere"}
    with engine.begin() as conn:
        conn.execute(insert(schema.sun_outages), [stale, other_station])
    sun_outages_day(engine, SETTINGS, SEASON_DAY, ids[SEASON_DAY])
    assert count_rows(engine, schema.sun_outages, **key) == 2  # the stale row went with the rerun
    assert count_rows(engine, schema.sun_outages, station_id="elsewhere") == 1  # another key is kept
    with engine.connect() as conn:
        again = conn.execute(select(schema.sun_outages).where(schema.sun_outages.c.station_id == "akkol_scc")
                             .order_by("outage_start")).mappings().all()
    assert [(r["outage_start"], r["outage_end"], r["min_separation_deg"]) for r in again] == [
        (r["outage_start"], r["outage_end"], r["min_separation_deg"]) for r in first]
    quiet = sun_outages_day(engine, SETTINGS, QUIET_DAY, ids[QUIET_DAY])
    assert quiet["stations"][0]["outages"] == 0 and quiet["stations"][0]["longest_s"] is None
    assert count_rows(engine, schema.sun_outages, day=QUIET_DAY) == 0
    calendar = sun_outage_days(engine, date(2026, 10, 1), date(2026, 10, 31))
    assert list(calendar) == [SEASON_DAY]
    entries = [e for e in calendar[SEASON_DAY] if e["station_id"] == "akkol_scc"]
    assert [e["norad_cat_id"] for e in entries] == [37749, 39728]
    assert all(e["outage_start"].tzinfo is not None and e["outage_start"] <= e["worst_at"] < e["outage_end"]
               for e in entries)
    assert sun_outage_days(engine, date(2026, 6, 1), date(2026, 6, 30)) == {}
    # The calendar of KazSat marks the season's day with each outage; Qianfan's does not.
    from constops.dashboard.calendar import calendar_days

    (marked,) = calendar_days(engine, SETTINGS, SEASON_DAY, SEASON_DAY, "kazsat")
    at_scc = [line for line in marked.sun_outages if " at akkol_scc " in line]
    assert len(at_scc) == 2 and len(marked.sun_outages) == 3  # and the row of "elsewhere" above
    assert at_scc[0].startswith("sun outage of 37749 at akkol_scc ")
    assert "least separation" in marked.as_json()["sun_outages"][1]
    assert calendar_days(engine, SETTINGS, SEASON_DAY, SEASON_DAY, "qianfan")[0].sun_outages == ()
    assert calendar_days(engine, SETTINGS, QUIET_DAY, QUIET_DAY, "kazsat")[0].sun_outages == ()
