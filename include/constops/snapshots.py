"""GP snapshots: one raw payload each, archived, validated, and loaded as element sets.

``record_payload`` is the single way a payload enters the system, whether it was
fetched from CelesTrak or imported from a file: the bytes are archived first,
then checked, then loaded in one transaction. A payload that fails is still
archived and recorded as ``rejected`` with the reason, and nothing else changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from . import celestrak, elements
from .archive import RawArchive
from .clock import utc_now
from .elements import ElementSet, SetAside
from .errors import CelestrakAnswerError, ElementsError, NoSnapshotError
from .flags import Flag, FlagThresholds
from .freshness import median_epoch
from .reporting import schema
from .reporting.store import utc
from .timescale import as_utc
from .triage import Account, Triage, triage_answer
from .validation import PayloadLimits, check_payload


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
    #: Records in the answer, set aside and flagged (None for snapshots loaded before triage).
    record_count: int | None = None
    set_aside_count: int | None = None
    flagged_count: int | None = None
    #: Median element-set epoch of the loaded records (see constops.freshness).
    median_epoch: datetime | None = None


def record_payload(
    engine: Engine,
    archive: RawArchive,
    *,
    constellation_id: str,
    payload: bytes,
    source: str,
    acquired_at: datetime,
    http_status: int | None = None,
    fmt: str | None = None,
    limits: PayloadLimits = PayloadLimits(),
    flag_thresholds: FlagThresholds = FlagThresholds(),
) -> Snapshot:
    """Archive ``payload``, triage its records and load the element sets; return the snapshot.

    Each record is loaded (flagged when unusual: ``flagged_element_sets``) or set aside
    with its reason (``set_aside_records``); see :mod:`constops.triage`. The same bytes
    recorded twice for a group give the first snapshot back. ``http_status`` is set for
    CelesTrak answers, which are first checked against CelesTrak's notices. Raises
    ``CelestrakAnswerError`` or ``ElementsError`` for a fault of the whole answer (see
    :mod:`constops.validation`): the payload then stays archived and is recorded with
    status ``rejected``, with the records set aside that were found.
    """
    acquired_at = as_utc(acquired_at)
    extension = fmt or _guess_extension(payload)
    sha256, uri = archive.put(payload, constellation_id, extension)
    existing = _find(engine, constellation_id, sha256)
    if existing is not None and existing.status == "loaded":
        return snapshot_from_row(existing)
    # A payload rejected before is checked again: the limits or the parser may have changed.
    base_row = {
        "group_name": constellation_id, "source": source, "acquired_at": acquired_at, "http_status": http_status,
        "sha256": sha256, "size_bytes": len(payload), "archive_uri": uri, "recorded_at": utc_now(),
    }
    triage = None
    try:
        if http_status is not None:
            celestrak.check_answer(source, http_status, payload)
        if len(payload) > limits.max_body_bytes:
            raise ElementsError(f"{source}: body of {len(payload)} bytes or more exceeds the cap of {limits.max_body_bytes} bytes")
        fmt = fmt or elements.detect_format(payload)
        triage = triage_answer(payload, fmt, source, acquired_at, limits.max_future_epoch_h, flag_thresholds)
        previous = snapshot_at(engine, constellation_id, acquired_at)
        check_payload(triage, acquired_at, previous.object_count if previous else None, limits)
    except (CelestrakAnswerError, ElementsError) as exc:
        with engine.begin() as conn:
            snapshot_id = _save_row(conn, existing, {**base_row, "format": extension, "object_count": None,
                                                     "status": "rejected", "error": str(exc), **_triage_columns(triage)})
            _save_triage(conn, snapshot_id, triage, loaded=False)
        raise
    with engine.begin() as conn:
        snapshot_id = _save_row(conn, existing, {**base_row, "format": fmt, "object_count": len(triage.element_sets),
                                                 "status": "loaded", "error": None, **_triage_columns(triage)})
        conn.execute(schema.element_sets.insert(), [
            {"snapshot_id": snapshot_id, **element_set.as_row()} for element_set in triage.element_sets
        ])
        _save_triage(conn, snapshot_id, triage, loaded=True)
        _upsert_satellites(conn, constellation_id, snapshot_id, triage.element_sets)
    counts = _triage_columns(triage)
    return Snapshot(snapshot_id, constellation_id, source, acquired_at, fmt, sha256, len(triage.element_sets),
                    counts["record_count"], counts["set_aside_count"], counts["flagged_count"], counts["median_epoch"])


def _triage_columns(triage: Triage | None) -> dict:
    """Return the gp_snapshots columns that sum up a triage (all None without one)."""
    if triage is None:
        return dict.fromkeys(("record_count", "set_aside_count", "flagged_count", "median_epoch"))
    return {
        "record_count": triage.record_count, "set_aside_count": len(triage.set_aside),
        "flagged_count": triage.account().flagged_count,
        "median_epoch": median_epoch(s.epoch for s in triage.element_sets) if triage.element_sets else None,
    }


def _save_triage(conn, snapshot_id: int, triage: Triage | None, loaded: bool) -> None:
    """Replace the snapshot's set-aside records (and, when it is loaded, its flags)."""
    from .reporting.store import replace

    if triage is None:
        return
    replace(conn, schema.set_aside_records, {"snapshot_id": snapshot_id}, [
        {"snapshot_id": snapshot_id, **asdict(s)} for s in triage.set_aside
    ])
    if loaded:
        replace(conn, schema.flagged_element_sets, {"snapshot_id": snapshot_id}, [
            {"snapshot_id": snapshot_id, **asdict(f)} for f in triage.flags
        ])


def stored_account(engine: Engine, snapshot: Snapshot) -> Account:
    """Return what became of a recorded snapshot's records (see :class:`triage.Account`)."""
    aside_table, flag_table = schema.set_aside_records, schema.flagged_element_sets
    with engine.connect() as conn:
        aside = [SetAside(**row) for row in conn.execute(
            select(*(c for c in aside_table.c if c.name != "snapshot_id"))
            .where(aside_table.c.snapshot_id == snapshot.snapshot_id).order_by(aside_table.c.record_no)).mappings()]
        flags = [Flag(**row) for row in conn.execute(
            select(*(c for c in flag_table.c if c.name != "snapshot_id"))
            .where(flag_table.c.snapshot_id == snapshot.snapshot_id)
            .order_by(flag_table.c.norad_cat_id, flag_table.c.rule)).mappings()]
    record_count = snapshot.record_count if snapshot.record_count is not None else snapshot.object_count
    return Account(record_count, snapshot.object_count or 0, aside, flags)


def _save_row(conn, existing, row: dict) -> int:
    """Insert a gp_snapshots row, or update the earlier row of the same payload; return its id."""
    table = schema.gp_snapshots
    if existing is None:
        return conn.execute(table.insert().values(**row)).inserted_primary_key[0]
    conn.execute(table.update().where(table.c.snapshot_id == existing.snapshot_id).values(**row))
    return existing.snapshot_id


def snapshot_at(engine: Engine, constellation_id: str, moment: datetime) -> Snapshot | None:
    """Return the newest loaded snapshot of ``constellation_id`` acquired at or before ``moment``."""
    table = schema.gp_snapshots
    query = (
        select(table)
        .where(table.c.group_name == constellation_id, table.c.status == "loaded", table.c.acquired_at <= moment)
        .order_by(table.c.acquired_at.desc(), table.c.snapshot_id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else snapshot_from_row(row)


def snapshot_nearest(engine: Engine, constellation_id: str, moment: datetime) -> Snapshot | None:
    """Return the loaded snapshot of ``constellation_id`` acquired nearest to ``moment``, before or after."""
    candidates = [
        snap for snap in (snapshot_at(engine, constellation_id, moment), _first_after(engine, constellation_id, moment)) if snap
    ]
    return min(candidates, key=lambda snap: abs(snap.acquired_at - moment), default=None)


def _first_after(engine: Engine, constellation_id: str, moment: datetime) -> Snapshot | None:
    table = schema.gp_snapshots
    query = (
        select(table)
        .where(table.c.group_name == constellation_id, table.c.status == "loaded", table.c.acquired_at > moment)
        .order_by(table.c.acquired_at, table.c.snapshot_id)
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else snapshot_from_row(row)


def snapshots_before(engine: Engine, constellation_id: str, moment: datetime, days: float) -> list[Snapshot]:
    """Return the loaded snapshots of ``constellation_id`` acquired in the ``days`` before ``moment``
    (inclusive), oldest first."""

    table = schema.gp_snapshots
    query = (
        select(table)
        .where(table.c.group_name == constellation_id, table.c.status == "loaded",
               table.c.acquired_at <= moment, table.c.acquired_at >= moment - timedelta(days=days))
        .order_by(table.c.acquired_at)
    )
    with engine.connect() as conn:
        return [snapshot_from_row(row) for row in conn.execute(query)]


def snapshot_median_epoch(engine: Engine, snapshot: Snapshot) -> datetime:
    """Return the snapshot's median element-set epoch (read from its element sets when the
    snapshot was loaded before gp_snapshots recorded it)."""
    if snapshot.median_epoch is not None:
        return snapshot.median_epoch
    table = schema.element_sets
    with engine.connect() as conn:
        epochs = conn.execute(select(table.c.epoch).where(table.c.snapshot_id == snapshot.snapshot_id)).scalars()
        return median_epoch(utc(epoch) for epoch in epochs)


def snapshot_by_id(engine: Engine, snapshot_id: int) -> Snapshot:
    """Return the loaded snapshot ``snapshot_id``; NoSnapshotError when there is none."""
    table = schema.gp_snapshots
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.snapshot_id == snapshot_id, table.c.status == "loaded")).first()
    if row is None:
        raise NoSnapshotError(f"no loaded snapshot has id {snapshot_id}", snapshot_id=snapshot_id, missing="loaded")
    return snapshot_from_row(row)


def load_element_sets(engine: Engine, snapshot_id: int, first: int = 0, stop: int | None = None) -> list[ElementSet]:
    """Return the element sets ``[first, stop)`` of a snapshot in NORAD catalog order (all
    by default); only those rows are read."""
    table = schema.element_sets
    fields = [name for name in ElementSet.__dataclass_fields__]
    query = (select(*(table.c[name] for name in fields)).where(table.c.snapshot_id == snapshot_id)
             .order_by(table.c.norad_cat_id).offset(first))
    if stop is not None:
        query = query.limit(max(0, stop - first))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [ElementSet(**{**row, "epoch": utc(row["epoch"])}) for row in rows]


def _find(engine: Engine, constellation_id: str, sha256: str):
    table = schema.gp_snapshots
    with engine.connect() as conn:
        return conn.execute(select(table).where(table.c.group_name == constellation_id, table.c.sha256 == sha256)).first()


def snapshot_from_row(row) -> Snapshot:
    """Return the Snapshot of a gp_snapshots row (or of a query selecting its columns)."""
    return Snapshot(row.snapshot_id, row.group_name, row.source, utc(row.acquired_at), row.format, row.sha256,
                    row.object_count, row.record_count, row.set_aside_count, row.flagged_count, utc(row.median_epoch))


def _guess_extension(payload: bytes) -> str:
    try:
        return elements.detect_format(payload)
    except ElementsError:
        return "txt"


def _upsert_satellites(conn, constellation_id: str, snapshot_id: int, element_sets: list[ElementSet]) -> None:
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
            "group_name": constellation_id, "first_snapshot_id": snapshot_id, "last_snapshot_id": snapshot_id,
            "last_epoch": s.epoch,
        }
        for s in element_sets
    ])


def newest_plausible_epoch(payload: bytes, source: str, max_future_epoch_h: float) -> datetime:
    """Return the newest element-set epoch of a file that is not in the future of now (the
    earliest the file can have been downloaded), or now when there is none: a record dated
    in the future is then set aside as such instead of dating the whole file."""
    now = utc_now()
    latest = now + timedelta(hours=max_future_epoch_h)
    try:
        epochs = [s.epoch for s in elements.read_records(payload, source=source).element_sets if s.epoch <= latest]
    except ElementsError:
        epochs = []  # unreadable: archived and recorded as rejected, acquired now
    return min(max(epochs), now) if epochs else now


def import_file(
    engine: Engine, archive: RawArchive, path: str, constellation_id: str, acquired_at: datetime | None = None,
    limits: PayloadLimits = PayloadLimits(), flag_thresholds: FlagThresholds = FlagThresholds(),
) -> Snapshot:
    """Import a snapshot file (TLE, OMM JSON, CSV or XML) into the archive and the database.

    ``acquired_at`` defaults to the newest element-set epoch in the file, the earliest
    moment the file can have been downloaded. Importing the same bytes again is a no-op.
    """
    from pathlib import Path

    file = Path(path)
    payload = file.read_bytes()
    if acquired_at is None:
        acquired_at = newest_plausible_epoch(payload, str(file), limits.max_future_epoch_h)
    return record_payload(
        engine, archive, constellation_id=constellation_id, payload=payload, source=str(file.resolve()), acquired_at=acquired_at,
        limits=limits, flag_thresholds=flag_thresholds,
    )


def changed_satellites(engine: Engine, old_snapshot_id: int | None, new_snapshot_id: int) -> set[int]:
    """Return the NORAD ids whose element set differs between two snapshots: added, dropped,
    or any stored element changed (all of them when ``old_snapshot_id`` is None)."""
    new = _element_rows(engine, new_snapshot_id)
    if old_snapshot_id is None:
        return set(new)
    old = _element_rows(engine, old_snapshot_id)
    return {norad for norad in old.keys() | new.keys() if old.get(norad) != new.get(norad)}


def unchanged_satellites(engine: Engine, old_snapshot_id: int, new_snapshot_id: int) -> set[int]:
    """Return the NORAD ids whose element set is the same, every stored element, in both snapshots."""
    old, new = _element_rows(engine, old_snapshot_id), _element_rows(engine, new_snapshot_id)
    return {norad for norad, row in new.items() if old.get(norad) == row}


def _element_rows(engine: Engine, snapshot_id: int) -> dict[int, tuple]:
    """Return {NORAD id: every stored element of its set} of a snapshot."""
    table = schema.element_sets
    fields = [column for column in table.columns if column.name != "snapshot_id"]
    with engine.connect() as conn:
        return {row[0]: tuple(row) for row in conn.execute(select(*fields).where(table.c.snapshot_id == snapshot_id))}
