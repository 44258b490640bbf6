"""Which snapshot each day's results are computed from: assigned by the ingest, one per day,
and resolved once at the start of each run that computes the day.

A day's assignment (``day_snapshots``) is written by ``tle_ingest``; every load of a
day's results checks, under a lock, that the day is still assigned the snapshot its run
resolved (:func:`require_assigned`), so one day's results never mix two snapshots.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select, update

from ..clock import utc_now
from ..errors import NoSnapshotError, SnapshotSupersededError
from ..reporting import schema
from ..reporting.store import replace, utc
from ..snapshots import Snapshot, snapshot_from_row
from ..timescale import day_bounds

#: Why a revision was opened: the daily run, a refresh, a replayed answer, a backfill (a
#: past day), or a day assigned before revisions were kept.
CAUSES = ("daily", "refresh", "replay", "backfill", "upgrade")


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
    cause: str = "daily",
) -> int:
    """Record that results for ``day`` are computed from ``snapshot_id``, of age ``age_days``
    under the limit ``max_age_days`` (``age_override``: an operator's limit), and return the
    day's revision that holds it: a new one (:func:`open_revision`, for ``cause``) when the
    constellation's day had another snapshot or none, else the same (a rerun). The snapshot
    fetched live for the day, once there is one, is kept in ``live_snapshot_id`` whatever is
    chosen later."""

    table = schema.day_snapshots
    key = {"day": day, "group_name": constellation_id}
    with engine.begin() as conn:
        current = conn.execute(select(table.c.snapshot_id, table.c.live_snapshot_id, table.c.revision).where(
            table.c.day == day, table.c.group_name == constellation_id)).first()
        if current is not None and current.snapshot_id == snapshot_id and current.revision is not None:
            revision = current.revision
        else:
            previous = None if current is None else current.snapshot_id
            revision = open_revision(conn, constellation_id, day, snapshot_id, previous, selection, cause)
        replace(conn, table, key, [{
            **key, "snapshot_id": snapshot_id, "selection": selection, "recorded_at": utc_now(),
            "live_snapshot_id": snapshot_id if selection == "live" else (current.live_snapshot_id if current else None),
            "snapshot_age_days": age_days, "max_age_days": max_age_days, "age_override": age_override,
            "revision": revision,
        }])
    return revision


def open_revision(conn, constellation_id: str, day: date, snapshot_id: int, previous_snapshot_id: int | None,
                  selection: str, cause: str) -> int:
    """Add the day's next revision to ``day_revisions`` in ``conn``'s transaction: the
    constellation's day is now computed from ``snapshot_id``; return its number (1, 2, ...
    over all the day's constellations). Its lead is the hours from the snapshot's
    acquisition to the day's start (negative: acquired during the day)."""
    if cause not in CAUSES:
        raise ValueError(f"revision cause {cause!r} is not one of {CAUSES}")
    table, snaps = schema.day_revisions, schema.gp_snapshots
    revision = (conn.execute(select(func.max(table.c.revision)).where(table.c.day == day)).scalar() or 0) + 1
    acquired_at = utc(conn.execute(select(snaps.c.acquired_at).where(snaps.c.snapshot_id == snapshot_id)).scalar_one())
    conn.execute(table.insert().values(
        day=day, revision=revision, group_name=constellation_id, snapshot_id=snapshot_id,
        previous_snapshot_id=previous_snapshot_id, selection=selection, acquired_at=acquired_at,
        lead_h=(day_bounds(day)[0] - acquired_at).total_seconds() / 3600, assigned_at=utc_now(), cause=cause))
    return revision


def require_assigned(conn, constellation_id: str, day: date, snapshot_id: int) -> int:
    """Return the day's revision that holds ``snapshot_id`` for the constellation; raise
    SnapshotSupersededError unless ``day`` is still assigned ``snapshot_id``, and hold the
    day's assignment until the caller's transaction ends: called first in the transaction of
    every load, so that one day's results never mix two snapshots and carry one revision.

    The no-op UPDATE takes the write lock before the check: on PostgreSQL a lock on the
    row (an ``assign_day`` meanwhile waits for this load, or this load waits for it and
    then sees its new row), on SQLite the database's write lock. A day assigned before
    revisions were kept is given its first one here."""
    table = schema.day_snapshots
    where = (table.c.day == day, table.c.group_name == constellation_id)
    conn.execute(update(table).where(*where).values(snapshot_id=table.c.snapshot_id))
    current = conn.execute(select(table.c.snapshot_id, table.c.selection, table.c.revision).where(*where)).first()
    if current is None or current.snapshot_id != snapshot_id:
        raise SnapshotSupersededError(
            f"{constellation_id} {day.isoformat()}: this run computed the day from snapshot {snapshot_id}, but the day is "
            f"now assigned snapshot {current and current.snapshot_id} (an ingest reassigned it meanwhile); nothing was loaded",
            constellation_id=constellation_id, day=day, snapshot_id=snapshot_id,
            current_snapshot_id=current and current.snapshot_id)
    if current.revision is not None:
        return current.revision
    revision = open_revision(conn, constellation_id, day, snapshot_id, None, current.selection, "upgrade")
    conn.execute(update(table).where(*where).values(revision=revision))
    return revision


def previous_snapshot_id(engine: Engine, constellation_id: str, day: date, snapshot_id: int) -> int | None:
    """Return the snapshot the constellation's day was computed from before the revision that
    brought ``snapshot_id`` (its latest such revision), or None for a first revision."""
    table = schema.day_revisions
    query = (select(table.c.previous_snapshot_id)
             .where(table.c.day == day, table.c.group_name == constellation_id, table.c.snapshot_id == snapshot_id)
             .order_by(table.c.revision.desc()).limit(1))
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def station_revision(conn, day: date, snapshot_ids: dict[str, int]) -> int:
    """Return the revision of a station's day planned from ``snapshot_ids`` (constellation id
    -> snapshot id, each checked by :func:`require_assigned`): the latest of the served
    constellations' revisions, so a plan carries the number of the day's revision it reflects."""
    return max(require_assigned(conn, cid, day, sid) for cid, sid in snapshot_ids.items())


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
