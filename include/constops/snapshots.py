"""GP snapshots: one raw payload each, archived, validated, and loaded as element sets.

``record_payload`` is the single way a payload enters the system, whether it was
fetched from CelesTrak or imported from a file: the bytes are archived first,
then checked, then loaded in one transaction. A payload that fails is still
archived and recorded as ``rejected`` with the reason, and nothing else changes.
"""

from __future__ import annotations

from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from . import celestrak, elements
from .archive import RawArchive
from .elements import ElementSet, ElementsError
from .reporting import schema
from .validation import PayloadLimits, check_payload
from .reporting.store import now_utc, utc
from .timescale import as_utc


@dataclass(frozen=True)
class Snapshot:
    """A loaded GP snapshot as recorded in ``gp_snapshots``."""

    snapshot_id: int
    group_name: str
    source: str
    acquired_at: datetime
    format: str
    sha256: str
    object_count: int


class NoSnapshotError(LookupError):
    """No loaded snapshot fits the day asked for."""


def record_payload(
    engine: Engine,
    archive: RawArchive,
    *,
    group: str,
    payload: bytes,
    source: str,
    acquired_at: datetime,
    http_status: int | None = None,
    fmt: str | None = None,
    limits: PayloadLimits = PayloadLimits(),
) -> Snapshot:
    """Archive ``payload``, validate it and load its element sets; return the snapshot.

    The same bytes recorded twice for a group give the first snapshot back.
    ``http_status`` is set for CelesTrak answers, which are first checked against
    CelesTrak's notices. Raises ``CelestrakAnswerError`` or ``ElementsError`` (the
    payload then stays archived and is recorded with status ``rejected``).
    """
    acquired_at = as_utc(acquired_at)
    extension = fmt or _guess_extension(payload)
    sha256, uri = archive.put(payload, group, extension)
    existing = _find(engine, group, sha256)
    if existing is not None and existing.status == "loaded":
        return _snapshot(existing)
    # A payload rejected before is checked again: the limits or the parser may have changed.
    base_row = {
        "group_name": group, "source": source, "acquired_at": acquired_at, "http_status": http_status,
        "sha256": sha256, "size_bytes": len(payload), "archive_uri": uri, "recorded_at": now_utc(),
    }
    try:
        if http_status is not None:
            celestrak.check_answer(source, http_status, payload)
        if len(payload) > limits.max_body_bytes:
            raise ElementsError(f"{source}: body of {len(payload)} bytes or more exceeds the cap of {limits.max_body_bytes} bytes")
        fmt = fmt or elements.detect_format(payload)
        element_sets = elements.parse(payload, fmt, source=source)
        _check_unique(element_sets, source)
        previous = snapshot_at(engine, group, acquired_at)
        check_payload(element_sets, acquired_at, previous.object_count if previous else None, limits, source)
    except (celestrak.CelestrakAnswerError, ElementsError) as exc:
        _save_row(engine, existing, {**base_row, "format": extension, "object_count": None,
                                     "status": "rejected", "error": str(exc)})
        raise
    with engine.begin() as conn:
        snapshot_id = _save_row(conn, existing, {**base_row, "format": fmt, "object_count": len(element_sets),
                                                 "status": "loaded", "error": None})
        conn.execute(schema.element_sets.insert(), [
            {"snapshot_id": snapshot_id, **element_set.as_row()} for element_set in element_sets
        ])
        _upsert_satellites(conn, group, snapshot_id, element_sets)
    return Snapshot(snapshot_id, group, source, acquired_at, fmt, sha256, len(element_sets))


def _save_row(target, existing, row: dict) -> int:
    """Insert a gp_snapshots row, or update the earlier row of the same payload; return its id."""
    table = schema.gp_snapshots
    with target.begin() if isinstance(target, Engine) else nullcontext(target) as conn:
        if existing is None:
            return conn.execute(table.insert().values(**row)).inserted_primary_key[0]
        conn.execute(table.update().where(table.c.snapshot_id == existing.snapshot_id).values(**row))
        return existing.snapshot_id


def snapshot_at(engine: Engine, group: str, moment: datetime) -> Snapshot | None:
    """Return the newest loaded snapshot of ``group`` acquired at or before ``moment``."""
    table = schema.gp_snapshots
    query = (
        select(table)
        .where(table.c.group_name == group, table.c.status == "loaded", table.c.acquired_at <= moment)
        .order_by(table.c.acquired_at.desc(), table.c.snapshot_id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _snapshot(row)


def snapshot_nearest(engine: Engine, group: str, moment: datetime) -> Snapshot | None:
    """Return the loaded snapshot of ``group`` acquired nearest to ``moment``, before or after."""
    candidates = [
        snap for snap in (snapshot_at(engine, group, moment), _first_after(engine, group, moment)) if snap
    ]
    return min(candidates, key=lambda snap: abs(snap.acquired_at - moment), default=None)


def _first_after(engine: Engine, group: str, moment: datetime) -> Snapshot | None:
    table = schema.gp_snapshots
    query = (
        select(table)
        .where(table.c.group_name == group, table.c.status == "loaded", table.c.acquired_at > moment)
        .order_by(table.c.acquired_at, table.c.snapshot_id)
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _snapshot(row)


def day_assignment(engine: Engine, group: str, day: date) -> tuple[Snapshot, str] | None:
    """Return (snapshot, selection) assigned to ``day``, or None when the day has none yet."""
    days, snaps = schema.day_snapshots, schema.gp_snapshots
    query = (
        select(snaps, days.c.selection)
        .join(days, days.c.snapshot_id == snaps.c.snapshot_id)
        .where(days.c.day == day, days.c.group_name == group)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else (_snapshot(row), row.selection)


def snapshots_before(engine: Engine, group: str, moment: datetime, days: float) -> list[Snapshot]:
    """Return the loaded snapshots of ``group`` acquired in the ``days`` before ``moment``
    (inclusive), oldest first."""
    from datetime import timedelta

    table = schema.gp_snapshots
    query = (
        select(table)
        .where(table.c.group_name == group, table.c.status == "loaded",
               table.c.acquired_at <= moment, table.c.acquired_at >= moment - timedelta(days=days))
        .order_by(table.c.acquired_at)
    )
    with engine.connect() as conn:
        return [_snapshot(row) for row in conn.execute(query)]


def snapshot_for_day(engine: Engine, group: str, day: date) -> Snapshot:
    """Return the snapshot that the ingest assigned to ``day``; NoSnapshotError names the day."""
    assigned = day_assignment(engine, group, day)
    if assigned is None:
        raise NoSnapshotError(f"no {group} snapshot is assigned to {day.isoformat()}: run tle_ingest for {day.isoformat()} first")
    return assigned[0]


def assign_day(engine: Engine, group: str, day: date, snapshot_id: int, selection: str) -> None:
    """Record that results for ``day`` are computed from ``snapshot_id``. The snapshot fetched
    live for the day, once there is one, is kept in ``live_snapshot_id`` whatever is chosen later."""
    from .reporting.store import replace

    table = schema.day_snapshots
    key = {"day": day, "group_name": group}
    with engine.begin() as conn:
        live = conn.execute(select(table.c.live_snapshot_id).where(
            table.c.day == day, table.c.group_name == group)).scalar()
        replace(conn, table, key, [{
            **key, "snapshot_id": snapshot_id, "selection": selection, "recorded_at": now_utc(),
            "live_snapshot_id": snapshot_id if selection == "live" else live,
        }])


def live_snapshot(engine: Engine, group: str, day: date) -> Snapshot | None:
    """Return the snapshot fetched live for ``day``, or None when the day never had one."""
    days, snaps = schema.day_snapshots, schema.gp_snapshots
    query = select(snaps).join(days, days.c.live_snapshot_id == snaps.c.snapshot_id).where(
        days.c.day == day, days.c.group_name == group)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _snapshot(row)


def load_element_sets(engine: Engine, snapshot_id: int) -> list[ElementSet]:
    """Return the element sets of a snapshot, ordered by NORAD catalog number."""
    table = schema.element_sets
    fields = [name for name in ElementSet.__dataclass_fields__]
    query = select(*(table.c[name] for name in fields)).where(table.c.snapshot_id == snapshot_id)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(table.c.norad_cat_id)).mappings().all()
    return [ElementSet(**{**row, "epoch": utc(row["epoch"])}) for row in rows]


def _find(engine: Engine, group: str, sha256: str):
    table = schema.gp_snapshots
    with engine.connect() as conn:
        return conn.execute(select(table).where(table.c.group_name == group, table.c.sha256 == sha256)).first()


def _snapshot(row) -> Snapshot:
    return Snapshot(row.snapshot_id, row.group_name, row.source, utc(row.acquired_at), row.format, row.sha256, row.object_count)


def _guess_extension(payload: bytes) -> str:
    try:
        return elements.detect_format(payload)
    except ElementsError:
        return "txt"


def _check_unique(element_sets: list[ElementSet], source: str) -> None:
    counts = Counter(s.norad_cat_id for s in element_sets)
    duplicates = sorted(norad for norad, n in counts.items() if n > 1)
    if duplicates:
        raise ElementsError(f"{source}: NORAD catalog numbers appear more than once: {duplicates[:10]}")


def _upsert_satellites(conn, group: str, snapshot_id: int, element_sets: list[ElementSet]) -> None:
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[conn.dialect.name]
    table = schema.satellites
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.norad_cat_id],
        set_={
            "object_name": statement.excluded.object_name,
            "object_id": statement.excluded.object_id,
            "group_name": statement.excluded.group_name,
            "last_snapshot_id": statement.excluded.last_snapshot_id,
            "last_epoch": statement.excluded.last_epoch,
        },
        where=table.c.last_epoch <= statement.excluded.last_epoch,
    )
    conn.execute(statement, [
        {
            "norad_cat_id": s.norad_cat_id, "object_name": s.object_name, "object_id": s.object_id,
            "group_name": group, "first_snapshot_id": snapshot_id, "last_snapshot_id": snapshot_id,
            "last_epoch": s.epoch,
        }
        for s in element_sets
    ])


def import_file(
    engine: Engine, archive: RawArchive, path: str, group: str, acquired_at: datetime | None = None,
    limits: PayloadLimits = PayloadLimits(),
) -> Snapshot:
    """Import a snapshot file (TLE, OMM JSON, CSV or XML) into the archive and the database.

    ``acquired_at`` defaults to the newest element-set epoch in the file, the earliest
    moment the file can have been downloaded. Importing the same bytes again is a no-op.
    """
    from pathlib import Path

    file = Path(path)
    payload = file.read_bytes()
    if acquired_at is None:
        try:
            acquired_at = max(s.epoch for s in elements.parse(payload, source=str(file)))
        except ElementsError:
            acquired_at = now_utc()  # unreadable: archived and recorded as rejected below
    return record_payload(
        engine, archive, group=group, payload=payload, source=str(file.resolve()), acquired_at=acquired_at,
        limits=limits,
    )
