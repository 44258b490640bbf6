"""Every shipped constellation on its real CelesTrak answer of 2026-05-30, through the real DAGs.

Qianfan (162), OneWeb (651), Kuiper (299), KazSat (2, GEO) whole, and Starlink as a real
subset (every 20th record of its 10,398: 520 satellites; the full day is measured by
``make demo-all``, see the README). Passes at Akkol are compared with Skyfield's
``find_events`` (AOS, TCA, LOS within 1 s; the same passes per satellite); the GEO
satellites are one continuous window each, their highest and lowest elevation within
0.01 degree of a 60 s Skyfield scan. Then the analysts' comparison view is checked against
the tables it sums up.
"""

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import numpy as np
import pytest
from skyfield.api import wgs84
from sqlalchemy import select, text

from constops.archive import RawArchive
from constops.reporting import schema
from constops.settings import load_settings
from constops.snapshots import import_file
from tests.dags.test_daily_pipeline import run
from tests.support.data import REPO
from tests.unit.test_passes import ONE_HUNDREDTH_DEG, ONE_SECOND, compare_passes, skyfield_passes, skyfield_satellites

DAY = date(2026, 5, 30)
START = datetime(2026, 5, 30, tzinfo=timezone.utc)
END = START + timedelta(days=1)
LEO = ("qianfan", "oneweb", "starlink", "kuiper")
SHIPPED = (*LEO, "kazsat")
STARLINK_EVERY = 20


def answer(constellation_id: str, tmp_path) -> bytes:
    """Return the real answer of ``constellation_id`` for the day (Starlink: every 20th record)."""
    payload = (REPO / "data" / "snapshots" / constellation_id / f"{constellation_id}_2026-05-30.tle").read_bytes()
    if constellation_id != "starlink":
        return payload
    lines = payload.decode().splitlines()
    records = [lines[i:i + 3] for i in range(0, len(lines), 3)][::STARLINK_EVERY]
    return ("\r\n".join(line for record in records for line in record) + "\r\n").encode()


@pytest.fixture
def every_constellation(pipeline, tmp_path, monkeypatch):
    """The pipeline fixture with every shipped constellation switched on and its answer of
    2026-05-30 imported; "now" is later, so the day is a past one (no CelesTrak request)."""
    dagbag, celestrak, engine = pipeline
    settings = tmp_path / "all.toml"
    settings.write_text(f"[pipeline]\nconstellations = {list(SHIPPED)!r}\n".replace("'", '"'))
    monkeypatch.setenv("CONSTOPS_SETTINGS", str(settings))
    monkeypatch.setenv("CONSTOPS_CLOCK_UTC", "2026-06-10T00:00:00Z")
    archive = RawArchive(str(tmp_path / "archive"))
    payloads = {}
    for constellation_id in SHIPPED:
        payloads[constellation_id] = answer(constellation_id, tmp_path)
        path = tmp_path / f"{constellation_id}_2026-05-30.tle"
        path.write_bytes(payloads[constellation_id])
        import_file(engine, archive, str(path), constellation_id, flag_thresholds=load_settings(settings).of(constellation_id).flags)
    return dagbag, celestrak, engine, payloads


def loaded_passes(engine, constellation_id):
    with engine.connect() as conn:
        rows = conn.execute(select(schema.gateway_passes).where(
            schema.gateway_passes.c.group_name == constellation_id, schema.gateway_passes.c.station_id == "akkol")).all()
    return [SimpleNamespace(**{**row._mapping, **{k: row._mapping[k].replace(tzinfo=timezone.utc)
                                                   for k in ("aos", "tca", "los")}}) for row in rows]


def test_every_shipped_constellation_computes_its_real_day(every_constellation):
    dagbag, celestrak, engine, payloads = every_constellation
    for dag_id in ("tle_ingest", "gateway_passes", "coverage"):
        assert run(dagbag, dag_id, DAY).state == "success", dag_id
    assert celestrak.requests == []  # a past day: the archive only

    akkol = load_settings().station("akkol")
    for constellation_id in LEO:
        ours = loaded_passes(engine, constellation_id)
        assert ours and not any(p.continuous for p in ours), constellation_id
        theirs = skyfield_passes(payloads[constellation_id], akkol, akkol.min_elevation_deg, START, END)
        mismatched, worst_s, worst_deg = compare_passes(ours, theirs)
        assert not mismatched and worst_s < ONE_SECOND and worst_deg < ONE_HUNDREDTH_DEG, (constellation_id, worst_s)

    windows = loaded_passes(engine, "kazsat")
    assert sorted(w.norad_cat_id for w in windows) == [37749, 39728] and all(w.continuous for w in windows)
    ts, satellites = skyfield_satellites(payloads["kazsat"])
    site = wgs84.latlon(akkol.lat_deg, akkol.lon_deg, elevation_m=akkol.alt_m)
    minutes = ts.from_datetimes([START + timedelta(minutes=m) for m in range(24 * 60 + 1)])
    for sat in satellites:
        (w,) = [w for w in windows if w.norad_cat_id == sat.model.satnum]
        elevation = (sat - site).at(minutes).altaz()[0].degrees
        assert (w.aos, w.los) == (START, END) and w.duration_s == 86400.0
        assert abs(w.max_elevation_deg - elevation.max()) < ONE_HUNDREDTH_DEG
        assert abs(w.lowest_elevation_deg - elevation.min()) < ONE_HUNDREDTH_DEG
    with engine.connect() as conn:
        kazsat_days = conn.execute(select(schema.gateway_daily).where(schema.gateway_daily.c.group_name == "kazsat")).all()
    # Both stations that serve KazSat (the teleport at 10 deg, the control centre at 5 deg) see it all day.
    assert sorted(d.station_id for d in kazsat_days) == ["akkol", "akkol_scc"]
    assert all(d.percent_time_visible == 100.0 and d.max_gap_s == 0.0 and d.pass_count == 2 for d in kazsat_days)
    # find_sun_outages ran for the control centre (the one station with a GEO beam): 2026-05-30 is far from the
    # equinoxes, so no row (tests/unit/test_sun_outages.py checks the season days).
    with engine.connect() as conn:
        assert conn.execute(select(schema.sun_outages)).all() == []

    check_the_comparison_view(engine)


def check_the_comparison_view(engine):
    """The comparison view holds one row per constellation that equals the tables it sums up."""
    with engine.connect() as conn:
        rows = {r.constellation_id: r for r in conn.execute(text(
            "SELECT * FROM constellation_comparison WHERE day = :day"), {"day": DAY}).all()}
        coverage = {(r.group_name, r.min_elevation_deg): r.percent_time_covered for r in conn.execute(
            select(schema.coverage_daily).where(schema.coverage_daily.c.satellite_set == "all",
                                                schema.coverage_daily.c.service == "direct")).all()}
        passes = {(r.group_name, r.station_id): r.pass_count for r in conn.execute(select(schema.gateway_daily)).all()}
        fleet = dict(conn.execute(text("SELECT group_name, count(*) FROM fleet_status GROUP BY group_name")).all())
        named = dict(conn.execute(select(schema.constellations.c.constellation_id,
                                         schema.constellations.c.celestrak_query)).all())
    assert set(rows) == set(SHIPPED)
    assert named["kazsat"] == "CATNR=37749,39728" and named["starlink"] == "GROUP=starlink"
    for constellation_id, row in rows.items():
        assert row.satellites_in_orbit == fleet[constellation_id]
        statuses = sum(getattr(row, f"{status}_satellites") for status in schema.FLEET_STATUSES)
        assert statuses == fleet[constellation_id], constellation_id
        assert row.passes_akkol == passes[constellation_id, "akkol"]
        assert row.passes_akkol_scc == passes.get((constellation_id, "akkol_scc"))  # NULL where it does not serve
        for mask_deg in (10, 25, 40):
            assert getattr(row, f"percent_time_covered_{mask_deg}deg") == coverage[constellation_id, float(mask_deg)]
        assert row.percent_time_covered_10deg >= row.percent_time_covered_25deg >= row.percent_time_covered_40deg
    assert np.isclose(rows["kazsat"].percent_time_covered_10deg, 100.0)  # GEO: always in view of the country
