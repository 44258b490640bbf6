"""Which snapshot each day's results are computed from: assigned by the ingest, one per day,
and resolved once at the start of each run that computes the day.

A day's assignment (``day_snapshots``) is written by ``tle_ingest``; every load of a
day's results checks, under a lock, that the day is still assigned the snapshot its run
resolved (:func:`require_assigned`), so one day's results never mix two snapshots.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select, update

from ..clock import utc_now
from ..errors import NoSnapshotError, SnapshotSupersededError
from ..reporting import schema
from ..reporting.store import replace
from ..snapshots import Snapshot, snapshot_from_row


def assigned_snapshot_query(constellation_id: str, day: date):
    """Return the SELECT of the snapshot assigned to ``day`` joined with its assignment: every
    ``gp_snapshots`` column, then ``selection``, ``snapshot_age_days``, ``max_age_days``,
    ``age_override`` and ``assigned_at`` (UTC) of ``day_snapshots``. At most one row. The one
    day-snapshot join of the library: the runs, the text summary and the day page use it."""
    days, snaps = schema.day_snapshots, schema.gp_snapshots
    return (
        select(snaps, days.c.selection, days.c.snapshot_age_days, days.c.max_age_days, days.c.age_override,
               days.c.recorded_at.label("assigned_at"))
        .join(days, days.c.snapshot_id == snaps.c.snapshot_id)
        .where(days.c.day == day, days.c.group_name == constellation_id)
    )


def day_assignment(engine: Engine, constellation_id: str, day: date) -> tuple[Snapshot, str] | None:
    """Return (snapshot, selection) assigned to ``day``, or None when the day has none yet."""
    with engine.connect() as conn:
        row = conn.execute(assigned_snapshot_query(constellation_id, day)).first()
    return None if row is None else (snapshot_from_row(row), row.selection)


def snapshot_for_day(engine: Engine, constellation_id: str, day: date) -> Snapshot:
    """Return the snapshot that the ingest assigned to ``day``; NoSnapshotError names the day."""
    assigned = day_assignment(engine, constellation_id, day)
    if assigned is None:
        raise NoSnapshotError(f"no {constellation_id} snapshot is assigned to {day.isoformat()}: the day's ingest has not chosen one",
                              constellation_id=constellation_id, day=day, missing="assigned")
    return assigned[0]


def assign_day(
    engine: Engine, constellation_id: str, day: date, snapshot_id: int, selection: str,
    age_days: float | None = None, max_age_days: float | None = None, age_override: bool = False,
) -> None:
    """Record that results for ``day`` are computed from ``snapshot_id``, of age ``age_days``
    under the limit ``max_age_days`` (``age_override``: an operator's limit). The snapshot
    fetched live for the day, once there is one, is kept in ``live_snapshot_id`` whatever is
    chosen later."""

    table = schema.day_snapshots
    key = {"day": day, "group_name": constellation_id}
    with engine.begin() as conn:
        live = conn.execute(select(table.c.live_snapshot_id).where(
            table.c.day == day, table.c.group_name == constellation_id)).scalar()
        replace(conn, table, key, [{
            **key, "snapshot_id": snapshot_id, "selection": selection, "recorded_at": utc_now(),
            "live_snapshot_id": snapshot_id if selection == "live" else live,
            "snapshot_age_days": age_days, "max_age_days": max_age_days, "age_override": age_override,
        }])


def require_assigned(conn, constellation_id: str, day: date, snapshot_id: int) -> None:
    """Raise SnapshotSupersededError unless ``day`` is still assigned ``snapshot_id``, and hold
    the day's assignment until the caller's transaction ends: called first in the transaction
    of every load, so that one day's results never mix two snapshots.

    The no-op UPDATE takes the write lock before the check: on PostgreSQL a lock on the
    row (an ``assign_day`` meanwhile waits for this load, or this load waits for it and
    then sees its new row), on SQLite the database's write lock."""
    table = schema.day_snapshots
    where = (table.c.day == day, table.c.group_name == constellation_id)
    conn.execute(update(table).where(*where).values(snapshot_id=table.c.snapshot_id))
    current = conn.execute(select(table.c.snapshot_id).where(*where)).scalar()
    if current != snapshot_id:
        raise SnapshotSupersededError(
            f"{constellation_id} {day.isoformat()}: this run computed the day from snapshot {snapshot_id}, but the day is "
            f"now assigned snapshot {current} (an ingest reassigned it meanwhile); nothing was loaded",
            constellation_id=constellation_id, day=day, snapshot_id=snapshot_id, current_snapshot_id=current)


def live_snapshot(engine: Engine, constellation_id: str, day: date) -> Snapshot | None:
    """Return the snapshot fetched live for ``day``, or None when the day never had one."""
    days, snaps = schema.day_snapshots, schema.gp_snapshots
    query = select(snaps).join(days, days.c.live_snapshot_id == snaps.c.snapshot_id).where(
        days.c.day == day, days.c.group_name == constellation_id)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else snapshot_from_row(row)


def resolve_day_snapshot(engine: Engine, settings, constellation_id: str, day: date) -> dict:
    """Return ``{"constellation_id", "day", "snapshot_id"}``: the snapshot assigned to ``day``, read once
    at the start of a run and passed to every task of it (NoSnapshotError names the day)."""
    snapshot = snapshot_for_day(engine, constellation_id, day)
    return {"constellation_id": constellation_id, "day": day.isoformat(), "snapshot_id": snapshot.snapshot_id}
