"""Loading what a revision changed (``revision_changes``), in the transaction of its load."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlalchemy import and_, delete, func, select

from ..reporting import schema
from ..reporting.store import insert_rows, utc


def previous_revision_rows(conn, table, key: Mapping[str, object], revision: int,
                           columns: Sequence[str]) -> tuple[int | None, list[dict]]:
    """Return (the latest revision before ``revision`` kept for ``key`` in ``table``'s history,
    its rows' ``columns`` with times as aware UTC), or (None, []) when there is none."""
    history = schema.HISTORY[table.name]
    where = and_(*(history.c[name] == value for name, value in key.items()))
    before = conn.execute(select(func.max(history.c.revision)).where(where, history.c.revision < revision)).scalar()
    if before is None:
        return None, []
    rows = conn.execute(select(*(history.c[c] for c in columns)).where(where, history.c.revision == before)).mappings()
    return before, [{name: utc(value) if hasattr(value, "tzinfo") else value for name, value in row.items()}
                    for row in rows]


def record_changes(conn, day: date, revision: int, group_names: Iterable[str], station_id: str,
                   kinds: Sequence[str], changes: Iterable[Mapping], previous_revision: int | None) -> int:
    """Replace the changes of ``kinds`` that ``revision`` made at ``station_id`` for the
    constellations ``group_names`` by ``changes`` (see :mod:`constops.revision_changes`);
    return how many were written."""
    table = schema.revision_changes
    conn.execute(delete(table).where(table.c.day == day, table.c.revision == revision,
                                     table.c.station_id == station_id, table.c.kind.in_(kinds),
                                     table.c.group_name.in_(list(group_names))))
    rows = [{**change, "day": day, "revision": revision, "previous_revision": previous_revision} for change in changes]
    insert_rows(conn, table, rows)
    return len(rows)
