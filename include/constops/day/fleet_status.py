"""The day's fleet: every satellite's status, and the satellites whose SGP4 fails in the day."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import date

from sqlalchemy import Engine

from ..fleet import fleet_status
from ..propagation import propagation_failures
from ..reporting import schema
from ..reporting.store import replace_revision
from ..settings import Settings
from ..snapshots import load_element_sets, snapshot_by_id, snapshots_before
from ..timescale import day_bounds
from .assignment import require_assigned, snapshot_for_day


def compute_fleet_day(engine: Engine, settings: Settings, constellation_id: str, day: date, snapshot_id: int | None = None) -> dict:
    """Label every satellite of snapshot ``snapshot_id`` (default: the day's) as operational,
    raising, manoeuvring, decaying, stranded or stale from its elements and the snapshots of
    the preceding rate window, and find the satellites whose SGP4 propagation fails during
    the day; load ``fleet_status`` and ``propagation_errors`` in one transaction and return
    the count per status and the failures."""
    settings = settings.of(constellation_id)
    snapshot = snapshot_by_id(engine, snapshot_id) if snapshot_id else snapshot_for_day(engine, constellation_id, day)
    current = load_element_sets(engine, snapshot.snapshot_id)
    history = [
        load_element_sets(engine, earlier.snapshot_id)
        for earlier in snapshots_before(engine, constellation_id, snapshot.acquired_at, settings.fleet.rate_window_days + 1)
        if earlier.snapshot_id != snapshot.snapshot_id
    ]
    start, end = day_bounds(day)
    statuses = fleet_status(current, start, history, settings.fleet, settings.flags)
    failures = propagation_failures(current, start, end, settings.coverage_step_s)
    key = {"day": day, "group_name": constellation_id}
    with engine.begin() as conn:
        revision = require_assigned(conn, constellation_id, day, snapshot.snapshot_id)
        replace_revision(conn, schema.fleet_status, key, revision, rows=[
            {**key, **asdict(status), "snapshot_id": snapshot.snapshot_id} for status in statuses
        ])
        replace_revision(conn, schema.propagation_errors, key, revision, rows=[
            {**key, **asdict(failure), "snapshot_id": snapshot.snapshot_id} for failure in failures
        ])
    return {"day": day.isoformat(), "constellation_id": constellation_id, "snapshot_id": snapshot.snapshot_id,
            "revision": revision, "history_snapshots": len(history), "status": dict(Counter(s.status for s in statuses)),
            "propagation_errors": [f"{f.norad_cat_id} error {f.error_code} from {f.first_error_at:%H:%M:%S} UTC"
                                   for f in failures]}
