"""Snapshots into the archive and the reporting database, on SQLite and real PostgreSQL."""

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from constops import errors, snapshots
from constops.day import assignment, ingest
from constops.errors import CelestrakAnswerError, ElementsError
from constops.reporting import schema
from constops.reporting.store import count_rows
from constops.settings import load_settings
from tests.support.data import SNAPSHOTS, snapshot_bytes

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def test_importing_the_same_file_twice_stores_it_once(store):
    engine, archive = store
    first = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.tle", "qianfan")
    again = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.tle", "qianfan")
    assert again == first and first.object_count == 108
    assert count_rows(engine, schema.gp_snapshots) == 1
    assert count_rows(engine, schema.element_sets) == 108
    assert count_rows(engine, schema.satellites) == 108
    assert archive.get(archive.put(snapshot_bytes("qianfan_2025-11-20.tle"), "qianfan", "tle")[1]) == snapshot_bytes("qianfan_2025-11-20.tle")


def test_acquired_time_defaults_to_the_newest_epoch(store):
    engine, archive = store
    snap = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.xml", "qianfan")
    assert snap.acquired_at == datetime(2025, 11, 20, 18, 11, 46, tzinfo=timezone.utc).replace(
        microsecond=snap.acquired_at.microsecond)


def test_a_past_day_uses_the_snapshot_current_at_its_start(store):
    engine, archive = store
    for name in ("qianfan_2025-11-16.tle", "qianfan_2025-11-17.tle", "qianfan_2025-11-18.tle"):
        snapshots.import_file(engine, archive, SNAPSHOTS / name, "qianfan")
    summary = ingest.ingest_day(engine, archive, load_settings(), "qianfan", date(2025, 11, 17), NOW, fetch=None)
    # Acquired at their newest epochs: 11-16 file 2025-11-16 12:38, 11-17 file 2025-11-16 19:50,
    # 11-18 file 2025-11-17 20:56. At 2025-11-17 00:00 the newest is the 11-17 file.
    assert summary["selection"] == "archive"
    assert summary["source"].endswith("qianfan_2025-11-17.tle")
    assert assignment.snapshot_for_day(engine, "qianfan", date(2025, 11, 17)).snapshot_id == summary["snapshot_id"]


def test_a_day_with_no_snapshot_fails_naming_the_day(store):
    engine, archive = store
    snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.tle", "qianfan")
    with pytest.raises(errors.NoSnapshotError, match=r"at or before 2025-11-14 00:00 UTC, so 2025-11-14 cannot"):
        ingest.ingest_day(engine, archive, load_settings(), "qianfan", date(2025, 11, 14), NOW, fetch=None)


def test_a_live_day_fetches_once_and_archives_a_refusal(store):
    engine, archive = store
    calls = []
    notice = b"GP data has not updated since your last successful download of GROUP=qianfan at 2026-11-24 11:02:00 UTC."

    def fetch(constellation_id):
        calls.append(constellation_id)
        return ingest.Answer("https://celestrak.org/NORAD/elements/gp.php?GROUP=qianfan&FORMAT=json", 403, notice)

    with pytest.raises(CelestrakAnswerError, match=r"HTTP 403 'GP data has not updated.*not retrying"):
        ingest.ingest_day(engine, archive, load_settings(), "qianfan", NOW.date(), NOW, fetch)
    assert calls == [{"GROUP": "qianfan"}]
    rows = _snapshot_rows(engine)
    assert [(r.status, r.http_status) for r in rows] == [("rejected", 403)]
    assert archive.get(rows[0].archive_uri) == notice
    assert count_rows(engine, schema.element_sets) == 0 and count_rows(engine, schema.day_snapshots) == 0


def test_a_repeated_record_is_set_aside_and_the_first_kept(store, tmp_path):
    engine, archive = store
    text = snapshot_bytes("qianfan_2025-11-20.tle").decode().splitlines()
    path = tmp_path / "dup.tle"
    path.write_text("\n".join(text + text[:3]) + "\n")
    snap = snapshots.import_file(engine, archive, path, "qianfan")
    assert (snap.object_count, snap.record_count, snap.set_aside_count) == (108, 109, 1)
    with engine.connect() as conn:
        (row,) = conn.execute(select(schema.set_aside_records)).all()
    assert (row.record_no, row.norad_cat_id, row.object_name, row.rule) == (109, 60379, "QIANFAN-1", "duplicate")
    assert "record 1 (epoch 2025-11-19 22:54:53 UTC) is kept" in row.message


def test_satellites_keep_the_newest_snapshot_when_history_arrives_late(store):
    engine, archive = store
    newer = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.tle", "qianfan")
    snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-14.tle", "qianfan")
    with engine.connect() as conn:
        last = {r.last_snapshot_id for r in conn.execute(schema.satellites.select())}
    assert last == {newer.snapshot_id}


def _snapshot_rows(engine):
    with engine.connect() as conn:
        return conn.execute(schema.gp_snapshots.select().order_by(schema.gp_snapshots.c.snapshot_id)).all()


def test_hindsight_takes_the_snapshot_nearest_the_middle_of_the_day(store):
    engine, archive = store
    for name in ("qianfan_2025-11-16.tle", "qianfan_2025-11-17.tle", "qianfan_2025-11-18.tle"):
        snapshots.import_file(engine, archive, SNAPSHOTS / name, "qianfan")
    day = date(2025, 11, 17)
    as_of_start = ingest.ingest_day(engine, archive, load_settings(), "qianfan", day, NOW, fetch=None)
    nearest = ingest.ingest_day(engine, archive, load_settings(), "qianfan", day, NOW, fetch=None, choice="nearest")
    # At 12:00: the 11-17 file was acquired 16.2 h before, the 11-18 file 8.9 h after.
    assert as_of_start["source"].endswith("qianfan_2025-11-17.tle")
    assert (nearest["selection"], nearest["source"].rsplit("/", 1)[1]) == ("nearest", "qianfan_2025-11-18.tle")
    assert assignment.snapshot_for_day(engine, "qianfan", day).snapshot_id == nearest["snapshot_id"]
    with pytest.raises(ValueError, match="'newest' is not one of"):
        ingest.ingest_day(engine, archive, load_settings(), "qianfan", day, NOW, fetch=None, choice="newest")


def test_a_day_fetched_live_keeps_that_snapshot_through_reruns_and_hindsight(store):
    engine, archive = store
    snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-19.tle", "qianfan")
    day = date(2025, 11, 20)

    def fetch(constellation_id):
        return ingest.Answer("http://127.0.0.1/gp.php?GROUP=qianfan&FORMAT=json", 200, snapshot_bytes("qianfan_2025-11-20.json"))

    def refused(constellation_id):
        raise AssertionError("a rerun must not call CelesTrak")

    settings = load_settings()
    live = ingest.ingest_day(engine, archive, settings, "qianfan", day,
                            datetime(2025, 11, 20, 18, 30, tzinfo=timezone.utc), fetch)
    same_day_rerun = ingest.ingest_day(engine, archive, settings, "qianfan", day,
                                      datetime(2025, 11, 20, 19, 0, tzinfo=timezone.utc), refused)
    hindsight = ingest.ingest_day(engine, archive, settings, "qianfan", day, NOW, refused, choice="nearest")
    later = ingest.ingest_day(engine, archive, settings, "qianfan", day, NOW, fetch=refused)
    assert live["selection"] == same_day_rerun["selection"] == later["selection"] == "live"
    assert later["snapshot_id"] == same_day_rerun["snapshot_id"] == live["snapshot_id"]
    assert hindsight["selection"] == "nearest"


def test_daily_trend_view_exists_on_both_databases(store):
    from sqlalchemy import text

    engine, _ = store
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM daily_trend")).scalar_one() == 0


def test_a_rejected_payload_is_checked_again_when_imported_again(store, tmp_path):
    from constops.validation import PayloadLimits

    engine, archive = store
    path = SNAPSHOTS / "qianfan_2025-11-20.tle"
    with pytest.raises(ElementsError, match="exceeds the cap of 1000 bytes"):
        snapshots.import_file(engine, archive, path, "qianfan", limits=PayloadLimits(max_body_bytes=1000))
    snap = snapshots.import_file(engine, archive, path, "qianfan")  # limits fixed: it loads now
    assert [(r.snapshot_id, r.status, r.error) for r in _snapshot_rows(engine)] == [(snap.snapshot_id, "loaded", None)]
    assert count_rows(engine, schema.element_sets) == 108


def test_an_unreadable_import_is_still_archived_and_recorded(store, tmp_path):
    engine, archive = store
    path = tmp_path / "broken.json"
    path.write_bytes(snapshot_bytes("qianfan_2025-11-20.json")[:777])
    with pytest.raises(ElementsError, match="invalid or truncated JSON"):
        snapshots.import_file(engine, archive, path, "qianfan")
    (row,) = _snapshot_rows(engine)
    assert row.status == "rejected" and archive.get(row.archive_uri) == path.read_bytes()


def test_space_track_csv_with_its_leading_columns_is_read():
    import json

    from constops import elements

    records = json.loads(snapshot_bytes("qianfan_2025-11-20.json"))[:3]
    header = ["CCSDS_OMM_VERS", "COMMENT", "CREATION_DATE", "ORIGINATOR", *records[0]]
    rows = [",".join(header)] + [
        ",".join(['"2.0"', '"GENERATED VIA SPACE-TRACK.ORG API"', '"2025-11-20T19:00:00"', '"18 SPCS"',
                  *(f'"{r[k]}"' for k in records[0])]) for r in records]
    assert elements.parse("\n".join(rows).encode()) == elements.parse(json.dumps(records).encode())


def test_an_imported_record_dated_in_the_future_is_set_aside_not_the_files_date(store, tmp_path):
    engine, archive = store
    records = json.loads(snapshot_bytes("qianfan_2025-11-20.json"))
    records[4]["EPOCH"] = "2099-01-01T00:00:00.000000"
    path = tmp_path / "future.json"
    path.write_text(json.dumps(records))
    snap = snapshots.import_file(engine, archive, path, "qianfan")
    assert snap.acquired_at.year == 2025 and (snap.object_count, snap.set_aside_count) == (107, 1)
    with engine.connect() as conn:
        (row,) = conn.execute(select(schema.set_aside_records)).all()
    assert (row.record_no, row.rule, row.object_name) == (5, "future_epoch", "QIANFAN-5")


def test_a_load_holds_the_days_assignment_until_it_commits(store):
    import threading
    import time

    engine, archive = store
    first = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-19.tle", "qianfan")
    second = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.tle", "qianfan")
    day = date(2025, 11, 19)
    assignment.assign_day(engine, "qianfan", day, first.snapshot_id, "archive")
    reassigned = []
    with engine.begin() as load:
        assignment.require_assigned(load, "qianfan", day, first.snapshot_id)
        rerun = threading.Thread(target=lambda: reassigned.append(
            assignment.assign_day(engine, "qianfan", day, second.snapshot_id, "nearest")))
        rerun.start()
        time.sleep(1.0)
        assert rerun.is_alive() and not reassigned  # the rerun waits for the load to commit
    rerun.join(timeout=30)
    assert reassigned and assignment.snapshot_for_day(engine, "qianfan", day).snapshot_id == second.snapshot_id


def test_an_older_database_gains_the_new_columns_and_keeps_its_rows(reporting_url):
    import sqlalchemy as sa

    from constops.reporting.store import connect

    engine = sa.create_engine(reporting_url)
    with engine.begin() as conn:  # day_snapshots as the first release made it
        conn.execute(sa.text("CREATE TABLE day_snapshots (day DATE NOT NULL, group_name VARCHAR(64) NOT NULL, "
                             "snapshot_id INTEGER NOT NULL, selection VARCHAR(16) NOT NULL, live_snapshot_id INTEGER, "
                             "recorded_at TIMESTAMP NOT NULL, PRIMARY KEY (day, group_name))"))
        conn.execute(sa.text("INSERT INTO day_snapshots VALUES ('2025-11-20', 'qianfan', 1, 'archive', NULL, "
                             "'2025-11-20 00:00:00')"))
    engine.dispose()
    upgraded = connect(reporting_url)
    with upgraded.connect() as conn:
        row = conn.execute(select(schema.day_snapshots)).one()
    assert (row.snapshot_id, row.selection, row.snapshot_age_days, row.age_override) == (1, "archive", None, None)
    upgraded.dispose()
