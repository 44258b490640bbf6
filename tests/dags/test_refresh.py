"""New elements are the event: ``tle_refresh`` through ``dag.test()`` against a real HTTP
server on 127.0.0.1 serving CelesTrak's real Qianfan answers of 2025-11-14, then the
revised days recomputed by ``gateway_passes``, as the scheduler runs it for each partition."""

from datetime import date, datetime

from sqlalchemy import select

from constops.archive import RawArchive
from constops.day import assignment
from constops.reporting import schema
from constops.reporting.store import connect, count_rows
from constops.settings import load_settings
from constops.snapshots import import_file
from tests.support.data import snapshot_bytes
from tests.support.days import compute_whole_day

from pipeline_day import run_dag

MORNING = snapshot_bytes("qianfan_2025-11-14.tle")  # newest epoch 2025-11-14 08:00 UTC
EVENING = snapshot_bytes("qianfan_2025-11-15.tle")  # newest epoch 2025-11-14 20:02 UTC
NOT_UPDATED = b"GP data has not updated since your last successful download of GROUP=qianfan at 2025-11-14 10:31:00 UTC."
HORIZON = ["2025-11-14", "2025-11-15", "2025-11-16"]
PASS_FIELDS = ("norad_cat_id", "station_id", "min_elevation_deg", "aos", "tca", "los", "max_elevation_deg",
               "aos_azimuth_deg", "tca_azimuth_deg", "los_azimuth_deg")


def refresh(dagbag, monkeypatch, at: str):
    """Run tle_refresh with the clock at ``at`` (UTC); return (state, the refresh task's output)."""
    monkeypatch.setenv("CONSTOPS_CLOCK_UTC", at)
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    run = dagbag.get_dag("tle_refresh").test(logical_date=moment)
    ti = next(t for t in run.get_task_instances() if t.task_id == "refresh")
    return run.state, ti.xcom_pull(task_ids="refresh", key="return_value")


def revisions(engine) -> dict[str, list[int]]:
    """Return {day: [revision numbers]} of day_revisions."""
    table = schema.day_revisions
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.day, table.c.revision).order_by(table.c.day, table.c.revision)).all()
    days: dict[str, list[int]] = {}
    for day, revision in rows:
        days.setdefault(day.isoformat(), []).append(revision)
    return days


def passes_of(engine, table, day, **where):
    query = select(*(table.c[f] for f in PASS_FIELDS)).where(table.c.day == day)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(query))


def test_the_evening_answer_revises_the_morning_plan_of_three_days(pipeline, monkeypatch, tmp_path):
    dagbag, celestrak, engine = pipeline
    celestrak.answer(200, MORNING)
    state, out = refresh(dagbag, monkeypatch, "2025-11-14T08:30:00Z")
    assert state == "success" and out["days"] == HORIZON
    assert revisions(engine) == {day: [1] for day in HORIZON}
    day = date(2025, 11, 15)
    assert run_dag(dagbag, "gateway_passes", day).state == "success"
    first = passes_of(engine, schema.gateway_passes, day)

    celestrak.answer(200, EVENING)
    state, out = refresh(dagbag, monkeypatch, "2025-11-14T20:30:00Z")
    assert state == "success" and out["days"] == HORIZON
    (summary,) = out["summaries"]
    assert summary["outcome"] == "new" and summary["changed_satellites"] > 0
    assert revisions(engine) == {day: [1, 2] for day in HORIZON} and len(celestrak.requests) == 2
    assert run_dag(dagbag, "gateway_passes", day).state == "success"
    # The changes within [alerts] lead_h (12 h) of 20:30, those before 08:30 on 11-15, are alerted.
    soon = [line for line in pipeline_alerts(monkeypatch).splitlines() if "revision 2 changes soon" in line]
    with engine.connect() as conn:
        expected = conn.execute(select(schema.revision_changes).where(
            schema.revision_changes.c.day == day, schema.revision_changes.c.revision == 2)).all()
    expected = [c for c in expected if c.at.replace(tzinfo=None) <= datetime(2025, 11, 15, 8, 30)]
    assert len(soon) == len(expected) > 0

    # In force: revision 2; history: both, revision 1 as it was.
    history = schema.HISTORY["gateway_passes"]
    with engine.connect() as conn:
        assert {r for (r,) in conn.execute(select(schema.gateway_passes.c.revision).distinct())} == {2}
    assert passes_of(engine, history, day, revision=1) == first
    second = passes_of(engine, schema.gateway_passes, day)
    assert passes_of(engine, history, day, revision=2) == second != first

    # Revision 2 equals a full computation of the day from the 20:02 answer alone.
    alone = connect(f"sqlite:///{tmp_path / 'alone.db'}")
    archive = RawArchive(str(tmp_path / "alone-archive"))
    path = tmp_path / "evening.tle"
    path.write_bytes(EVENING)
    snapshot = import_file(alone, archive, path, "qianfan")
    assignment.assign_day(alone, "qianfan", day, snapshot.snapshot_id, "archive", cause="backfill")
    compute_whole_day("passes", alone, load_settings(), "qianfan", day)
    assert passes_of(alone, schema.gateway_passes, day) == second


def test_no_new_elements_is_no_event_and_the_interval_is_kept(pipeline, monkeypatch):
    dagbag, celestrak, engine = pipeline
    celestrak.answer(200, MORNING)
    assert refresh(dagbag, monkeypatch, "2025-11-14T08:30:00Z")[1]["days"] == HORIZON

    # The same answer two hours later: one request, green, no revision.
    state, out = refresh(dagbag, monkeypatch, "2025-11-14T10:30:00Z")
    assert (state, out["days"], out["summaries"][0]["outcome"]) == ("success", [], "unchanged")
    assert len(celestrak.requests) == 2

    # CelesTrak's notice: green while the 08:00 elements are fresh, nothing revised.
    celestrak.answer(403, NOT_UPDATED)
    state, out = refresh(dagbag, monkeypatch, "2025-11-14T12:31:00Z")
    assert (state, out["days"], out["summaries"][0]["outcome"]) == ("success", [], "not_updated")
    assert len(celestrak.requests) == 3

    # A refresh within the interval asks nothing.
    state, out = refresh(dagbag, monkeypatch, "2025-11-14T13:30:00Z")
    assert (state, out["summaries"][0]["outcome"]) == ("success", "skipped") and len(celestrak.requests) == 3
    assert revisions(engine) == {day: [1] for day in HORIZON}
    assert count_rows(engine, schema.celestrak_requests) == 3

    # Days later the notice is a failure: the newest elements are too old for today.
    state, _ = refresh(dagbag, monkeypatch, "2025-11-19T12:00:00Z")
    assert state == "failed" and len(celestrak.requests) == 4
    assert "GP data has not updated" in (pipeline_alerts(monkeypatch))


def pipeline_alerts(monkeypatch) -> str:
    import os
    from pathlib import Path

    return Path(os.environ["CONSTOPS_ALERTS_FILE"]).read_text()
