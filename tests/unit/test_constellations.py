"""Constellations as configuration: selections, per-constellation stations and thresholds,
spaced requests, and a CATNR list fetched one number at a time into one snapshot."""

import json
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from constops.celestrak import RequestPacer, gp_params
from constops.constellations import Constellation, constellation_from_toml
from constops.day import ingest
from constops.errors import CelestrakAnswerError
from constops.reporting import schema
from constops.reporting.store import count_rows
from constops.settings import load_settings, override_name

NOW = datetime(2025, 11, 20, 6, 0, tzinfo=timezone.utc)


def test_a_selection_is_exactly_one_of_group_catnr_or_name():
    group = constellation_from_toml("q", {"celestrak": {"group": "qianfan"}, "region": "kazakhstan"})
    catnr = constellation_from_toml("k", {"celestrak": {"catnr": [37798, 40230]}, "region": "kazakhstan"})
    name = constellation_from_toml("n", {"celestrak": {"name": "KAZSAT"}, "region": "kazakhstan"})
    assert group.queries() == [{"GROUP": "qianfan"}] and group.query_text == "GROUP=qianfan"
    assert catnr.queries() == [{"CATNR": "37798"}, {"CATNR": "40230"}] and catnr.query_text == "CATNR=37798,40230"
    assert name.queries() == [{"NAME": "KAZSAT"}]
    assert constellation_from_toml("r", {"celestrak": {"name": "X"}}, "somewhere").region_id == "somewhere"
    assert gp_params({"CATNR": "37798"}) == {"CATNR": "37798", "FORMAT": "json"}
    with pytest.raises(ValueError, match="exactly one of group, catnr or name"):
        constellation_from_toml("x", {"celestrak": {"group": "a", "name": "b"}, "region": "kazakhstan"})
    with pytest.raises(ValueError, match="CATNR values must be catalog numbers"):
        Constellation("x", "x", "", "CATNR", ("KAZSAT",), (), "kazakhstan")
    with pytest.raises(ValueError, match="orbit 'meo'"):
        Constellation("x", "x", "", "GROUP", ("a",), (), "kazakhstan", orbit="meo")


def test_each_constellation_is_computed_with_its_own_stations_region_and_thresholds(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[pipeline]\nconstellations = ["qianfan", "geo"]\n\n'
        '[constellations.geo]\nname = "GEO"\ncelestrak = { catnr = [37798] }\nstations = ["akkol"]\n'
        'region = "kazakhstan"\norbit = "geo"\nfleet = { shells_alt_km = [35786.0], shell_tolerance_km = 50.0 }\n'
        'flags = { mean_motion_min_rev_per_day = 0.9 }\n')
    settings = load_settings(path, environ={})
    geo, qianfan = settings.of("geo"), settings.of("qianfan")
    assert settings.constellation_ids == ("qianfan", "geo")
    assert geo.constellation.orbit == "geo" and geo.fleet.shells_alt_km == (35786.0,)
    assert geo.fleet.shell_tolerance_km == 50.0 and geo.fleet.stale_age_days == settings.fleet.stale_age_days
    assert geo.flags.mean_motion_min_rev_per_day == 0.9 and qianfan.flags == settings.flags
    assert [s.station_id for s in geo.stations] == ["akkol"] and geo.of("geo") is geo
    assert geo.region.name == qianfan.region.name == "Kazakhstan"
    with pytest.raises(ValueError, match="unknown constellation 'starlinkk'"):
        settings.of("starlinkk")


@pytest.mark.parametrize("text, says", [
    ('[pipeline]\nconstellations = ["nope"]\n', "names 'nope', which has no [constellations.nope] entry"),
    ('[constellations.qianfan]\nstations = ["baikonur"]\n', "stations ['baikonur'] are not configured"),
    ('[constellations.qianfan]\nregion = "mars"\n', "region 'mars' is not configured"),
    ('[pipeline]\nconstellations = ["qianfan", "qianfan"]\n', "must name distinct entries"),
])
def test_a_misconfigured_constellation_is_named(tmp_path, text, says):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match="bad.toml") as caught:
        load_settings(path, environ={})
    assert says in str(caught.value)


def test_the_constellations_to_compute_can_be_set_from_the_environment():
    settings = load_settings(environ={override_name("pipeline", "constellations"): '["qianfan", "oneweb"]'})
    assert settings.constellation_ids == ("qianfan", "oneweb")


def test_requests_are_spaced():
    now, slept = [100.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pacer = RequestPacer(5.0, clock=lambda: now[0], sleep=sleep)
    assert pacer.wait() == 0.0
    now[0] += 10.0  # a slow answer: the spacing counts from its end
    pacer.done()
    now[0] += 2.0
    assert pacer.wait() == pytest.approx(3.0)
    pacer.done()
    now[0] += 7.0
    assert pacer.wait() == 0.0 and slept == [pytest.approx(3.0)]


def test_a_refusal_of_the_client_is_told_from_a_queries_notice():
    from constops.celestrak import refuses_client

    assert refuses_client(403, b"Forbidden") and refuses_client(429, b"Too many requests")
    assert not refuses_client(403, b"GP data has not updated since your last successful download of GROUP=qianfan")
    assert not refuses_client(200, b"[]") and not refuses_client(503, b"busy")


def omm(norad: int, name: str) -> dict:
    """Return one OMM JSON record of a GEO satellite (values of a geostationary orbit)."""
    return {"OBJECT_NAME": name, "OBJECT_ID": "2011-022A", "EPOCH": "2025-11-19T20:00:00.000000",
            "MEAN_MOTION": 1.00272, "ECCENTRICITY": 0.0002, "INCLINATION": 0.05, "RA_OF_ASC_NODE": 90.0,
            "ARG_OF_PERICENTER": 180.0, "MEAN_ANOMALY": 120.0, "EPHEMERIS_TYPE": 0, "CLASSIFICATION_TYPE": "U",
            "NORAD_CAT_ID": norad, "ELEMENT_SET_NO": 999, "REV_AT_EPOCH": 5000, "BSTAR": 0.0,
            "MEAN_MOTION_DOT": -0.0000001, "MEAN_MOTION_DDOT": 0}


def geo_settings(tmp_path):
    path = tmp_path / "geo.toml"
    path.write_text('[pipeline]\nconstellations = ["geo"]\n\n[constellations.geo]\ncelestrak = { catnr = [37798, 40230] }\n'
                    'stations = ["akkol"]\nregion = "kazakhstan"\norbit = "geo"\n'
                    'flags = { mean_motion_min_rev_per_day = 0.9 }\n')
    return load_settings(path, environ={})


def test_a_catnr_list_is_fetched_one_number_at_a_time_into_one_snapshot(store, tmp_path):
    engine, archive = store
    calls = []

    def fetch(query):
        calls.append(query)
        norad = int(query["CATNR"])
        return ingest.Answer(f"http://127.0.0.1/gp.php?CATNR={norad}&FORMAT=json", 200,
                             json.dumps([omm(norad, f"SAT {norad}")]).encode())

    snapshot = ingest.fetch_constellation(engine, archive, geo_settings(tmp_path), "geo", NOW, fetch)
    assert calls == [{"CATNR": "37798"}, {"CATNR": "40230"}]
    assert snapshot.object_count == 2 and "CATNR=37798" in snapshot.source and "CATNR=40230" in snapshot.source
    assert count_rows(engine, schema.flagged_element_sets, snapshot_id=snapshot.snapshot_id) == 0  # GEO flags
    stored = {p.name for p in (tmp_path / "archive" / "geo").rglob("*.json")}
    assert len(stored) == 3  # each answer on its own, and the snapshot they make together


def test_a_refused_catnr_request_stops_the_fetch_and_is_archived(store, tmp_path):
    engine, archive = store
    calls = []

    def fetch(query):
        calls.append(query)
        return ingest.Answer(f"http://127.0.0.1/gp.php?CATNR={query['CATNR']}&FORMAT=json", 403,
                             b"GP data has not updated since your last successful download")

    with pytest.raises(CelestrakAnswerError, match="HTTP 403"):
        ingest.fetch_constellation(engine, archive, geo_settings(tmp_path), "geo", NOW, fetch)
    assert calls == [{"CATNR": "37798"}]  # no second request after a policy answer
    assert count_rows(engine, schema.gp_snapshots, group_name="geo", status="rejected") == 1


def test_guowang_computes_its_day_and_its_passes_match_skyfield(store):
    """China's Guowang on its real records of 2026-06-26 (a subset of CelesTrak's `active`
    answer: no `hulianwang` group answer is kept anywhere), computed as the DAGs compute it:
    168 satellites in two shells, Akkol passes within 1 s of Skyfield's find_events."""
    from datetime import date, timedelta

    from sqlalchemy import func, select

    from constops.snapshots import import_file
    from tests.support.data import REPO
    from tests.support.days import compute_day
    from tests.unit.test_passes import ONE_HUNDREDTH_DEG, ONE_SECOND, compare_passes, skyfield_passes

    engine, archive = store
    path = REPO / "data" / "snapshots" / "hulianwang" / "hulianwang_2026-06-27.tle"
    settings = load_settings()
    import_file(engine, archive, str(path), "hulianwang", flag_thresholds=settings.of("hulianwang").flags)
    day = date(2026, 6, 27)
    compute_day(engine, archive, day, "hulianwang", now=datetime(2026, 7, 1, tzinfo=timezone.utc))
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(schema.fleet_status.c.status, func.count()).where(
            schema.fleet_status.c.group_name == "hulianwang").group_by(schema.fleet_status.c.status)).all())
        passes = conn.execute(select(schema.gateway_passes).where(schema.gateway_passes.c.group_name == "hulianwang")).all()
        coverage = conn.execute(select(schema.coverage_daily).where(
            schema.coverage_daily.c.group_name == "hulianwang", schema.coverage_daily.c.satellite_set == "all",
            schema.coverage_daily.c.service == "direct")).all()
    assert statuses == {"operational": 168}  # both shells on station
    assert len(coverage) == 3 and all(0 < row.percent_time_covered <= 100 for row in coverage)
    akkol = settings.station("akkol")
    start = datetime(2026, 6, 27, tzinfo=timezone.utc)
    theirs = skyfield_passes(path.read_bytes(), akkol, akkol.min_elevation_deg, start, start + timedelta(days=1))
    ours = [SimpleNamespace(**{**p._mapping, **{k: p._mapping[k].replace(tzinfo=timezone.utc) for k in ("aos", "tca", "los")}})
            for p in passes]
    mismatched, worst_s, worst_deg = compare_passes(ours, theirs)
    assert passes and not mismatched and worst_s < ONE_SECOND and worst_deg < ONE_HUNDREDTH_DEG

