"""The real feed as it is, through the real DAGs (``dag.test()``): the 2026 corpus answers
with their manoeuvring satellites, bad records set aside, six-digit catalog numbers, days
the pipeline refuses, and one snapshot per run even when the ingest is rerun mid-run.

Akkol's passes are compared with Skyfield's ``find_events`` on the same answer: same
passes per satellite, AOS/TCA/LOS within 1 s (tests/unit/test_passes.py's tolerance).
"""

import json
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from constops.archive import RawArchive
from constops.day import assignment, ingest
from constops.reporting import schema
from constops.reporting.store import connect, count_rows
from constops.settings import load_settings
from constops.snapshots import import_file
from tests.dags.test_daily_pipeline import run, run_chain
from tests.support.data import SNAPSHOTS, snapshot_bytes
from tests.unit.test_passes import ONE_SECOND, compare_passes, skyfield_passes

#: The corpus files, each with the day after it that it computes, and what becomes of its
#: records (CORPUS_2026.md: no record a strict reader must refuse; 16 manoeuvring in August).
CORPUS_DAYS = {
    "qianfan_2026-04-15.tle": (date(2026, 4, 15), {"loaded": 108, "set_aside": 0, "flagged": 3}),
    "qianfan_2026-08-31.tle": (date(2026, 9, 1), {"loaded": 238, "set_aside": 0, "flagged": 20}),
    "qianfan_2026-08-31.xml": (date(2026, 9, 1), {"loaded": 238, "set_aside": 0, "flagged": 20}),
}


@pytest.fixture
def reporting(airflow_db, dagbag, tmp_path, monkeypatch):
    """Point the DAGs at a fresh reporting SQLite file, archive and alerts file."""
    monkeypatch.setenv("AIRFLOW_CONN_REPORTING_DB", json.dumps({"conn_type": "sqlite", "host": str(tmp_path / "reporting.db")}))
    monkeypatch.setenv("CONSTOPS_ARCHIVE_URL", str(tmp_path / "archive"))
    monkeypatch.setenv("CONSTOPS_ALERTS_FILE", str(tmp_path / "alerts.log"))
    monkeypatch.setenv("CONSTOPS_CLOCK_UTC", "2026-12-02T12:00:00Z")
    engine = connect(f"sqlite:///{tmp_path / 'reporting.db'}")
    yield dagbag, engine, RawArchive(str(tmp_path / "archive")), tmp_path
    engine.dispose()


def loaded_passes(engine, day: date, station_id: str = "akkol"):
    """Return the day's loaded passes at ``station_id`` with aware UTC times (for compare_passes)."""
    table = schema.gateway_passes
    with engine.connect() as conn:
        rows = conn.execute(select(table).where(table.c.day == day, table.c.station_id == station_id)).all()
    return [SimpleNamespace(norad_cat_id=r.norad_cat_id, max_elevation_deg=r.max_elevation_deg,
                            **{k: getattr(r, k).replace(tzinfo=timezone.utc) for k in ("aos", "tca", "los")})
            for r in rows]


def assert_passes_match_skyfield(engine, day: date, payload: bytes):
    station = load_settings().station("akkol")
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
    theirs = skyfield_passes(payload, station, station.min_elevation_deg, start, start + timedelta(days=1))
    ours = loaded_passes(engine, day)
    mismatched, worst_s, _ = compare_passes(ours, theirs)
    assert not mismatched and worst_s < ONE_SECOND and len(ours) > 500


def test_every_corpus_answer_imports_and_the_day_after_it_computes_like_skyfield(reporting):
    dagbag, engine, archive, _ = reporting
    for name, (_, expected) in CORPUS_DAYS.items():
        snap = import_file(engine, archive, SNAPSHOTS / name, "qianfan")
        assert (snap.object_count, snap.set_aside_count, snap.flagged_count) == (
            expected["loaded"], expected["set_aside"], expected["flagged"]), name
    for day, source in ((date(2026, 4, 15), "qianfan_2026-04-15.tle"), (date(2026, 9, 1), "qianfan_2026-08-31.xml")):
        assert run_chain(dagbag, day) == ["success"] * 3, day
        with engine.connect() as conn:
            assigned = conn.execute(select(schema.day_snapshots).where(schema.day_snapshots.c.day == day)).one()
            used = conn.execute(select(schema.gp_snapshots.c.source).where(
                schema.gp_snapshots.c.snapshot_id == assigned.snapshot_id)).scalar()
            fleet = dict(conn.execute(select(schema.fleet_status.c.norad_cat_id, schema.fleet_status.c.status)
                                      .where(schema.fleet_status.c.day == day)).all())
        # Both 08-31 answers were acquired at their newest epoch (05:26:45): the later import wins the tie.
        assert used.endswith(source) and 0.0 < assigned.snapshot_age_days < 3.0 and not assigned.age_override
        assert_passes_match_skyfield(engine, day, snapshot_bytes(source))
        manoeuvring = {norad for norad, status in fleet.items() if status == "manoeuvring"}
        if day == date(2026, 9, 1):
            # The 16 records with |BSTAR| > 0.1 and MEAN_MOTION_DOT near -0.02 are shown, not hidden.
            assert len(manoeuvring) == 16 and fleet[69417] == "manoeuvring" and len(fleet) == 238
        else:
            assert manoeuvring == set() and len(fleet) == 108


def _six_digit_answer() -> bytes:
    """The real 2026-08-31 answer as OMM JSON with two objects renumbered above 99999, as
    CelesTrak numbers objects catalogued since mid-2026 (no real such answer was found)."""
    import io

    from sgp4 import omm

    records = list(omm.parse_xml(io.BytesIO(snapshot_bytes("qianfan_2026-08-31.xml"))))
    renumber = {"69866": "100001", "69867": "123456"}
    for record in records:
        record["NORAD_CAT_ID"] = renumber.get(record["NORAD_CAT_ID"], record["NORAD_CAT_ID"])
    return json.dumps(records).encode()


def test_a_live_answer_with_a_bad_record_and_six_digit_ids_computes_and_says_what_it_set_aside(
        reporting, celestrak, monkeypatch):
    dagbag, engine, archive, tmp_path = reporting
    records = json.loads(_six_digit_answer())
    records[140]["BSTAR"] = "-.33638E+1x"  # QIANFAN-141, unreadable: the only record set aside
    celestrak.answer(200, json.dumps(records).encode())
    monkeypatch.setenv("AIRFLOW_CONN_CELESTRAK", celestrak.connection_json)
    monkeypatch.setenv("CONSTOPS_CLOCK_UTC", "2026-09-01T06:00:00Z")
    day = date(2026, 9, 1)
    assert run_chain(dagbag, day) == ["success"] * 3
    assert len(celestrak.requests) == 1

    with engine.connect() as conn:
        (aside,) = conn.execute(select(schema.set_aside_records)).all()
        passes = {r.norad_cat_id for r in conn.execute(select(schema.gateway_passes.c.norad_cat_id))}
        fleet = {r.norad_cat_id for r in conn.execute(select(schema.fleet_status.c.norad_cat_id))}
    assert (aside.norad_cat_id, aside.object_name, aside.rule, aside.field, aside.value) == (
        69087, "QIANFAN-141", "unreadable_value", "BSTAR", "-.33638E+1x")
    assert {100001, 123456} <= fleet and len(fleet) == 237 and 69087 not in fleet
    assert {100001, 123456} & passes  # the renumbered satellites pass over Akkol like the others
    expected = json.dumps([r for r in records if r["NORAD_CAT_ID"] != "69087"]).encode()
    assert_passes_match_skyfield(engine, day, expected)

    # The alerts file and the summary say the same: how many, by rule, which satellite.
    (notice,) = Path(os.environ["CONSTOPS_ALERTS_FILE"]).read_text().splitlines()
    assert " NOTICE tle_ingest.ingest day=2026-09-01 " in notice
    assert notice.endswith("238 records: 237 loaded (19 flagged: negative_bstar 19, extreme_bstar 15, "
                           "large_mean_motion_dot 15), 1 set aside (unreadable_value 1: 69087 QIANFAN-141)")
    import pipeline_day

    assert "records: 238 records: 237 loaded" in pipeline_day.summary(day)


def test_days_the_pipeline_cannot_compute_fail_with_a_reason(reporting, capsys):
    import pipeline_day

    dagbag, engine, archive, _ = reporting
    assert pipeline_day.main(["2020-01-01"]) == 1
    assert "before the pipeline's first day 2025-11-01" in capsys.readouterr().err
    assert pipeline_day.main(["2025-02-30"]) == 1
    assert "accepted: a UTC day YYYY-MM-DD from 2025-11-01 to 2026-12-04" in capsys.readouterr().err

    # Through Airflow itself: the same day as a parameter fails the run, and so does a logical
    # date before the pipeline's first day (Airflow would end such a run green without tasks).
    assert run(dagbag, "tle_ingest", date(2020, 1, 1)).state == "failed"
    early = dagbag.get_dag("tle_ingest").test(logical_date=datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert early.state == "failed"
    alerts = Path(os.environ["CONSTOPS_ALERTS_FILE"]).read_text()
    assert "day=2020-01-01" in alerts and "before the pipeline's first day" in alerts

    # No snapshot at all, and one too old: red, naming the nearest snapshot and the fix.
    assert pipeline_day.main(["2026-05-31"]) == 1
    assert "no archived qianfan snapshot" in capsys.readouterr().err
    import_file(engine, archive, SNAPSHOTS / "qianfan_2026-04-15.tle", "qianfan")
    assert pipeline_day.main(["2026-05-31"]) == 1
    err = capsys.readouterr().err
    assert "46.4 days from the day's start, beyond the limit of 3 days" in err and "MAX_AGE_DAYS=46.5" in err
    assert count_rows(engine, schema.coverage_daily) == 0 and count_rows(engine, schema.day_snapshots) == 0
    # The explicit override computes the day and is recorded with it.
    assert pipeline_day.main(["2026-05-31", "--max-snapshot-age-days", "46.5"]) == 0
    with engine.connect() as conn:
        assigned = conn.execute(select(schema.day_snapshots)).one()
    assert assigned.age_override and assigned.max_age_days == 46.5
    assert "age limit overridden" in capsys.readouterr().out


def test_an_ingest_rerun_mid_run_cannot_mix_two_snapshots_in_one_day(reporting, monkeypatch):
    dagbag, engine, archive, _ = reporting
    for name in ("qianfan_2025-11-19.tle", "qianfan_2025-11-20.tle"):
        import_file(engine, archive, SNAPSHOTS / name, "qianfan")
    day = date(2025, 11, 19)
    assert run(dagbag, "tle_ingest", day).state == "success"
    first = assignment.resolve_day_snapshot(engine, load_settings(), "qianfan", day)["snapshot_id"]

    from dataclasses import replace

    from constops.day.products import PRODUCTS

    original = PRODUCTS["coverage"]
    seen = []

    def rerun_ingest_first(engine_, settings, constellation_id, day_, snapshot_id, first_=0, stop=None):
        if not seen:  # while the first shard computes, an operator reruns tle_ingest in hindsight
            seen.append(ingest.ingest_day(engine_, archive, settings, constellation_id, day_, datetime.now(timezone.utc),
                                         fetch=None, choice="nearest")["snapshot_id"])
        return original.compute(engine_, settings, constellation_id, day_, snapshot_id, first_, stop)

    monkeypatch.setitem(PRODUCTS, "coverage", replace(original, compute=rerun_ingest_first))
    coverage = run(dagbag, "coverage", day)
    second = seen[0]
    assert second != first and coverage.state == "failed"
    states = {ti.task_id: ti.state for ti in coverage.get_task_instances()}
    # Qianfan's day fits one shard: computed whole in compute_day, whose load refuses it at once (no retry).
    assert states["compute_day"] == "failed" and set(states.values()) == {"failed", "upstream_failed"}, states
    assert count_rows(engine, schema.coverage_daily) == 0  # nothing of snapshot 1 was loaded for a day of snapshot 2
    alerts = Path(os.environ["CONSTOPS_ALERTS_FILE"]).read_text()
    assert f"computed the day from snapshot {first}, but the day is now assigned snapshot {second}" in alerts

    # The run the reassignment triggers computes the whole day from the new snapshot.
    monkeypatch.setitem(PRODUCTS, "coverage", original)
    assert run(dagbag, "coverage", day).state == "success"
    with engine.connect() as conn:
        for table in (schema.fleet_status, schema.coverage_daily, schema.coverage_cells, schema.coverage_timeseries):
            used = set(conn.execute(select(table.c.snapshot_id).where(table.c.day == day).distinct()).scalars())
            assert used == {second}, table.name
