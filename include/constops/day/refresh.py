"""New elements are the event: ask CelesTrak within its policy, and plan the horizon with what changed.

Every request of a group, by the daily run or a refresh, is logged in ``celestrak_requests``;
a group is asked at most once in ``[ingest] refresh_interval_h``. An answer with changed
element sets is loaded as a snapshot and revises every day of the planning horizon it is
the newest snapshot for (:func:`plan_horizon`); an unchanged answer, or CelesTrak's "has not
updated" notice, is no event, and no failure while the group's newest snapshot is fresh
enough for today.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select

from ..archive import RawArchive
from ..errors import CelestrakAnswerError, ElementsError, NoSnapshotError, SnapshotTooOldError
from ..freshness import age_days, is_fresh
from ..reporting import schema
from ..reporting.store import utc
from ..settings import Settings
from ..snapshots import Snapshot, changed_satellites, snapshot_at, snapshot_median_epoch
from .assignment import assign_day, day_assignment

#: Outcomes of a request: ``new`` (changed element sets), ``unchanged``, ``not_updated``
#: (CelesTrak's notice), ``failed`` (an answer that is not element data) and ``unreachable``
#: (no answer). All but the last count towards ``refresh_interval_h``.
OUTCOMES = ("new", "unchanged", "not_updated", "failed", "unreachable")


def last_request_at(engine: Engine, constellation_id: str) -> datetime | None:
    """Return when CelesTrak last answered a request for the group (UTC), or None."""
    table = schema.celestrak_requests
    query = select(table.c.requested_at).where(
        table.c.group_name == constellation_id, table.c.outcome != "unreachable",
    ).order_by(table.c.requested_at.desc()).limit(1)
    with engine.connect() as conn:
        return utc(conn.execute(query).scalar())


def next_request_at(engine: Engine, settings: Settings, constellation_id: str) -> datetime | None:
    """Return the earliest moment the group may be asked again (UTC), or None: at once."""
    last = last_request_at(engine, constellation_id)
    return None if last is None else last + timedelta(hours=settings.refresh_interval_h)


def horizon(today: date, horizon_days: int) -> list[date]:
    """Return the days a snapshot acquired on ``today`` plans: today and ``horizon_days`` after."""
    return [today + timedelta(days=n) for n in range(horizon_days + 1)]


def plan_horizon(engine: Engine, settings: Settings, constellation_id: str, snapshot: Snapshot, now: datetime,
                 cause: str) -> list[str]:
    """Assign ``snapshot`` (fetched live) to every day of the horizon from ``now``'s day for
    which it is the newest snapshot and fresh enough; return the days given a new revision
    (ISO). A day assigned a snapshot acquired later, or the same one, is left as it is."""
    settings = settings.of(constellation_id)
    limit = settings.limits.max_snapshot_age_days
    epoch = snapshot_median_epoch(engine, snapshot)
    revised = []
    for day in horizon(now.date(), settings.horizon_days):
        assigned = day_assignment(engine, constellation_id, day)
        if assigned is not None and utc(assigned[0].acquired_at) >= utc(snapshot.acquired_at):
            continue
        age = age_days(epoch, day)
        if not is_fresh(age, limit):
            continue
        before = assigned[0].snapshot_id if assigned else None
        assign_day(engine, constellation_id, day, snapshot.snapshot_id, "live", age_days=age, max_age_days=limit,
                   cause=cause)
        if before != snapshot.snapshot_id:
            revised.append(day.isoformat())
    return revised


def refresh_constellation(
    engine: Engine, archive: RawArchive, settings: Settings, constellation_id: str, now: datetime,
    fetch: Callable, cause: str = "refresh", require_fresh_today: bool = True,
) -> dict:
    """Ask CelesTrak for the group unless it was asked within ``refresh_interval_h`` and, when
    its element sets changed, plan the horizon (:func:`plan_horizon`); return the summary:
    ``constellation_id``, ``requested`` (bool), ``outcome`` (``skipped`` or one of
    :data:`OUTCOMES`), ``snapshot_id``, ``changed_satellites``, ``revised_days`` (ISO) and
    ``next_request_at``.

    No event (skipped, unchanged, not updated) is no failure while the group's newest
    snapshot is fresh for today; without one it raises what the daily run raises: the
    CelesTrak notice, or (``require_fresh_today``; the daily run checks its own day)
    NoSnapshotError / SnapshotTooOldError. A faulty answer raises as the daily run does
    (archived and recorded as rejected)."""
    from .ingest import fetch_constellation

    due = next_request_at(engine, settings, constellation_id)
    newest = snapshot_at(engine, constellation_id, now)
    summary = {"constellation_id": constellation_id, "requested": False, "outcome": "skipped",
               "snapshot_id": newest and newest.snapshot_id, "changed_satellites": 0, "revised_days": []}
    if due is not None and now < due:
        if require_fresh_today:
            require_fresh(engine, settings, constellation_id, now, newest)
        return {**summary, "next_request_at": due.isoformat()}
    try:
        snapshot = fetch_constellation(engine, archive, settings, constellation_id, now, fetch)
    except CelestrakAnswerError as exc:
        _log(engine, constellation_id, now, cause, "not_updated" if exc.not_updated else "failed")
        if not exc.not_updated:
            raise
        require_fresh(engine, settings, constellation_id, now, newest, exc)
        return {**summary, "requested": True, "outcome": "not_updated", "next_request_at": _next(settings, now)}
    except ElementsError:
        _log(engine, constellation_id, now, cause, "failed")
        raise
    except Exception:
        _log(engine, constellation_id, now, cause, "unreachable")
        raise
    changed = changed_satellites(engine, newest and newest.snapshot_id, snapshot.snapshot_id)
    outcome = "new" if changed else "unchanged"
    revised = plan_horizon(engine, settings, constellation_id, snapshot, now, cause) if changed else []
    if not changed and require_fresh_today:
        require_fresh(engine, settings, constellation_id, now, newest)
    _log(engine, constellation_id, now, cause, outcome, snapshot.snapshot_id, len(changed), revised)
    return {**summary, "requested": True, "outcome": outcome, "snapshot_id": snapshot.snapshot_id,
            "changed_satellites": len(changed), "revised_days": revised, "next_request_at": _next(settings, now)}


def require_fresh(engine: Engine, settings: Settings, constellation_id: str, now: datetime,
                  newest: Snapshot | None, notice: CelestrakAnswerError | None = None) -> None:
    """Raise unless the group's newest snapshot is fresh enough to compute today: the
    CelesTrak ``notice`` when there is one, else NoSnapshotError or SnapshotTooOldError."""
    today, limit = now.date(), settings.of(constellation_id).limits.max_snapshot_age_days
    if newest is not None:
        age = age_days(snapshot_median_epoch(engine, newest), today)
        if is_fresh(age, limit):
            return
    if notice is not None:
        raise notice
    if newest is None:
        raise NoSnapshotError(f"no {constellation_id} snapshot is loaded, and CelesTrak was asked less than "
                              f"{settings.refresh_interval_h:g} h ago ([ingest] refresh_interval_h)",
                              constellation_id=constellation_id, day=today, missing="archived")
    from .ingest import too_old

    raise SnapshotTooOldError(too_old(engine, constellation_id, today, newest, "newest", age, limit),
                              constellation_id=constellation_id, day=today, snapshot_id=newest.snapshot_id,
                              age_days=age, limit_days=limit, needed_days=math.ceil(abs(age) * 10) / 10)


def _next(settings: Settings, now: datetime) -> str:
    return (now + timedelta(hours=settings.refresh_interval_h)).isoformat()


def _log(engine: Engine, constellation_id: str, now: datetime, cause: str, outcome: str,
         snapshot_id: int | None = None, changed: int | None = None, revised: list[str] | None = None) -> None:
    """Record one request of the group in ``celestrak_requests``."""
    with engine.begin() as conn:
        conn.execute(schema.celestrak_requests.insert().values(
            group_name=constellation_id, requested_at=now, cause=cause, outcome=outcome, snapshot_id=snapshot_id,
            changed_satellites=changed, revised_days=",".join(revised) if revised else None))
