"""The day's snapshot: fetched live from CelesTrak, or taken from the archive, and fresh enough."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from ..archive import RawArchive
from ..errors import SnapshotTooOldError
from ..freshness import age_days, is_fresh
from ..settings import Settings
from ..snapshots import (
    NoSnapshotError,
    Snapshot,
    record_payload,
    snapshot_at,
    snapshot_median_epoch,
    snapshot_nearest,
    stored_account,
)
from ..timescale import day_bounds
from .assignment import assign_day, live_snapshot
from .refresh import refresh_constellation


@dataclass(frozen=True)
class Answer:
    """What an HTTP GET returned: the final URL, the status and the raw body."""

    url: str
    status: int
    body: bytes


def is_live(day: date, now: datetime, live_window_h: float) -> bool:
    """Return True when ``day`` started less than ``live_window_h`` hours before ``now``
    (or has not started yet): its elements are fetched from CelesTrak rather than the archive."""
    start, _ = day_bounds(day)
    return start > now - timedelta(hours=live_window_h)


#: How a day's snapshot is chosen: ``as_of_start`` (what was known at the day's start: a
#: live fetch for today, else the newest snapshot acquired at or before D 00:00) or
#: ``nearest`` (hindsight, for analysis: the archived snapshot acquired nearest to D 12:00).
SNAPSHOT_CHOICES = ("as_of_start", "nearest")


def ingest_day(
    engine: Engine,
    archive: RawArchive,
    settings: Settings,
    constellation_id: str,
    day: date,
    now: datetime,
    fetch: Callable[[dict[str, str]], Answer],
    choice: str = "as_of_start",
    max_age_days: float | None = None,
) -> dict:
    """Choose and record the snapshot for ``day``; return a summary.

    As of start, today or a day ahead takes the group's newest snapshot after asking
    CelesTrak within its policy (:func:`constops.day.refresh.refresh_constellation`: at most
    once in ``refresh_interval_h``; an answer with changed element sets also revises the
    other days of the horizon it is newest for, listed in ``days_to_compute``). A past day
    that had a snapshot fetched live for it keeps that one (reruns reproduce it and never
    call CelesTrak); otherwise yesterday, while live, fetches the constellation
    once (:func:`fetch_constellation`) and loads what came back, and a past day takes the
    newest archived snapshot acquired at or before the day's start, or raises
    NoSnapshotError naming the day. ``nearest`` takes the archived snapshot acquired
    nearest to the middle of the day, before or after; the live record survives it, so a later ``as_of_start`` run
    restores the day exactly.

    The snapshot must be fresh for the day (:mod:`constops.freshness`): its age within
    ``[ingest] max_snapshot_age_days``, or within ``max_age_days`` when an operator gives
    one (an override, recorded in ``day_snapshots``). Otherwise SnapshotTooOldError says
    which snapshot is nearest, how old it is, and how to import or override. The summary
    carries the snapshot, its age and the account of its records (loaded, flagged, set
    aside, by rule).
    """
    settings = settings.of(constellation_id)
    if choice not in SNAPSHOT_CHOICES:
        raise ValueError(f"snapshot choice {choice!r} is not one of {SNAPSHOT_CHOICES}")
    start, end = day_bounds(day)
    live = live_snapshot(engine, constellation_id, day)
    refreshed = None
    if choice == "nearest":
        snapshot, selection = snapshot_nearest(engine, constellation_id, start + (end - start) / 2), "nearest"
    elif day >= now.date():  # today or ahead: the newest elements, CelesTrak asked within its policy
        refreshed = refresh_constellation(engine, archive, settings, constellation_id, now, fetch, cause="daily",
                                          require_fresh_today=False)
        snapshot, selection = snapshot_at(engine, constellation_id, now), "live"
    elif live is not None:
        snapshot, selection = live, "live"  # a rerun reproduces the day, and asks CelesTrak nothing
    elif is_live(day, now, settings.live_window_h):
        snapshot, selection = fetch_constellation(engine, archive, settings, constellation_id, now, fetch), "live"
    else:
        snapshot, selection = snapshot_at(engine, constellation_id, start), "archive"
    if snapshot is None:
        raise NoSnapshotError(
            f"no archived {constellation_id} snapshot was acquired at or before {start:%Y-%m-%d %H:%M} UTC, "
            f"so {day.isoformat()} cannot be computed (CelesTrak serves only current data). "
            f"{_nearest_note(engine, constellation_id, day)}".rstrip(), constellation_id=constellation_id, day=day, missing="archived")
    limit = settings.limits.max_snapshot_age_days if max_age_days is None else float(max_age_days)
    override = limit != settings.limits.max_snapshot_age_days
    age = age_days(snapshot_median_epoch(engine, snapshot), day)
    if not is_fresh(age, limit):
        raise SnapshotTooOldError(
            too_old(engine, constellation_id, day, snapshot, selection, age, limit), constellation_id=constellation_id, day=day,
            snapshot_id=snapshot.snapshot_id, age_days=age, limit_days=limit, needed_days=math.ceil(abs(age) * 10) / 10)
    revision = assign_day(engine, constellation_id, day, snapshot.snapshot_id, selection, age_days=age,
                          max_age_days=limit, age_override=override, cause="daily" if selection == "live" else "backfill")
    # The day itself is computed whatever happened; the horizon's days when the answer revised them.
    days = sorted({*(refreshed["revised_days"] if refreshed else ()), day.isoformat()})
    return {
        "revision": revision, "days_to_compute": days,
        "request": None if refreshed is None else {k: refreshed[k] for k in ("requested", "outcome", "changed_satellites")},
        "day": day.isoformat(), "constellation_id": constellation_id, "snapshot_id": snapshot.snapshot_id,
        "selection": selection, "object_count": snapshot.object_count,
        "acquired_at": snapshot.acquired_at.isoformat(), "source": snapshot.source,
        "snapshot_age_days": round(age, 3), "max_age_days": limit, "age_override": override,
        "records": stored_account(engine, snapshot).summary(),
    }


def fetch_constellation(
    engine: Engine, archive: RawArchive, settings: Settings, constellation_id: str, now: datetime,
    fetch: Callable[[dict[str, str]], Answer],
) -> Snapshot:
    """Fetch constellation ``constellation_id`` from CelesTrak and record it; return the snapshot.

    One ``fetch(query)`` per query of its selection (one for a group or a name search, one
    per catalog number: CelesTrak's CATNR takes one number), each answer archived on its
    own. The first answer that is not element data is recorded as rejected (archived, with
    its reason) and raised, and no further request is made, as CelesTrak's policy asks. The
    answers of a CATNR list are then loaded as one snapshot (their JSON arrays joined)."""
    settings = settings.of(constellation_id)
    queries = settings.constellation.queries()
    answers = []
    for query in queries:
        answer = fetch(query)
        if len(queries) == 1 or not _is_element_array(answer):
            return _record(engine, archive, settings, constellation_id, now, answer)
        archive.put(answer.body, constellation_id, "json")
        answers.append(answer)
    joined = json.dumps([record for a in answers for record in json.loads(a.body)]).encode()
    return _record(engine, archive, settings, constellation_id, now, Answer(" + ".join(a.url for a in answers), 200, joined))


def _is_element_array(answer: Answer) -> bool:
    """Return True when ``answer`` is a 200 whose body is a JSON array (of OMM records)."""
    try:
        return answer.status == 200 and isinstance(json.loads(answer.body), list)
    except ValueError:
        return False


def _record(engine, archive, settings: Settings, constellation_id: str, now: datetime, answer: Answer) -> Snapshot:
    """Record one CelesTrak answer as a snapshot of ``constellation_id`` (see ``record_payload``)."""
    return record_payload(
        engine, archive, constellation_id=constellation_id, payload=answer.body, source=answer.url, acquired_at=now,
        http_status=answer.status, limits=settings.limits, flag_thresholds=settings.flags,
    )


def too_old(engine: Engine, constellation_id: str, day: date, snapshot, selection: str, age: float, limit: float) -> str:
    """Return the message of a day whose snapshot is too old: which one, how old, what to do."""
    return (
        f"{constellation_id} {day.isoformat()}: the {selection} snapshot {snapshot.snapshot_id} (acquired "
        f"{snapshot.acquired_at:%Y-%m-%d %H:%M} UTC from {snapshot.source}) has element sets {age:.1f} days "
        f"from the day's start, beyond the limit of {limit:g} days ([ingest] max_snapshot_age_days): passes "
        f"would be off by many minutes. {_nearest_note(engine, constellation_id, day, snapshot.snapshot_id)}"
    ).rstrip()


def _nearest_note(engine: Engine, constellation_id: str, day: date, chosen: int | None = None) -> str:
    """Return "The loaded snapshot nearest the day is ..., N days from its start. ", or ""
    when that is the ``chosen`` one."""
    start, end = day_bounds(day)
    nearest = snapshot_nearest(engine, constellation_id, start + (end - start) / 2)
    if nearest is None:
        return f"No {constellation_id} snapshot is loaded at all. "
    if nearest.snapshot_id == chosen:
        return ""
    age = age_days(snapshot_median_epoch(engine, nearest), day)
    use = " (acquired after the day's start: only the hindsight choice 'nearest' takes it)" if nearest.acquired_at > start else ""
    return (f"The loaded snapshot nearest the day is {nearest.snapshot_id} (acquired "
            f"{nearest.acquired_at:%Y-%m-%d %H:%M} UTC, element sets {age:.1f} days from the day's start){use}. ")
