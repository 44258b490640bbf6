"""Revisions: each snapshot assigned to a day opens a numbered revision; the tables in force
hold the latest, the history tables keep every one whole, and a rerun rewrites its own."""

from datetime import date

from sqlalchemy import func, select

from constops import snapshots
from constops.day import assignment
from constops.day import fleet_status as day_fleet
from constops.reporting import schema
from constops.reporting.store import count_rows
from constops.settings import load_settings
from tests.support.data import SNAPSHOTS
from tests.support.days import compute_whole_day

DAY = date(2025, 11, 15)


def _compute(engine, snapshot_id: int) -> dict:
    """Assign ``DAY`` ``snapshot_id`` and compute its passes and fleet; return the passes' summary."""
    settings = load_settings()
    assignment.assign_day(engine, "qianfan", DAY, snapshot_id, "archive", cause="backfill")
    summary = compute_whole_day("passes", engine, settings, "qianfan", DAY)
    day_fleet.compute_fleet_day(engine, settings, "qianfan", DAY)
    return summary


def _revisions(engine, table) -> dict[int, int]:
    """Return {revision: rows} of ``table``'s history."""
    history = schema.HISTORY[table.name]
    with engine.connect() as conn:
        rows = conn.execute(select(history.c.revision, func.count()).group_by(history.c.revision)).all()
    return dict(rows)


def test_a_second_snapshot_opens_revision_two_and_the_first_is_kept_whole(store):
    engine, archive = store
    morning = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-14.tle", "qianfan")
    evening = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-15.tle", "qianfan")

    first = _compute(engine, morning.snapshot_id)
    first_passes = count_rows(engine, schema.gateway_passes)
    assert first["revision"] == 1
    assert _revisions(engine, schema.gateway_passes) == {1: first_passes}

    second = _compute(engine, evening.snapshot_id)
    assert second["revision"] == 2
    in_force = count_rows(engine, schema.gateway_passes)
    assert {r for (r,) in _rows(engine, schema.gateway_passes.c.revision)} == {2}
    assert _revisions(engine, schema.gateway_passes) == {1: first_passes, 2: in_force}
    assert _revisions(engine, schema.fleet_status) == {1: 108, 2: 108}

    with engine.connect() as conn:
        revisions = conn.execute(select(schema.day_revisions).order_by(schema.day_revisions.c.revision)).all()
    assert [(r.revision, r.snapshot_id, r.previous_snapshot_id, r.cause) for r in revisions] == [
        (1, morning.snapshot_id, None, "backfill"), (2, evening.snapshot_id, morning.snapshot_id, "backfill")]
    # Lead: from the acquisition (the newest epoch: 2025-11-14 08:00 and 20:02 UTC) to 2025-11-15 00:00.
    assert [round(r.lead_h, 2) for r in revisions] == [16.0, 3.96]

    # A rerun of the same snapshot is the same revision, rewritten: nothing doubles.
    assert _compute(engine, evening.snapshot_id)["revision"] == 2
    assert _revisions(engine, schema.gateway_passes) == {1: first_passes, 2: in_force}
    assert count_rows(engine, schema.day_revisions) == 2


def _rows(engine, *columns):
    with engine.connect() as conn:
        return conn.execute(select(*columns)).all()
