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


def revise_changes(conn, table, key: Mapping[str, object], revision: int, new_rows: list[Mapping], compare,
                   kinds: Sequence[str], group_names: Iterable[str], threshold_s: float) -> list[dict]:
    """Compare ``new_rows`` of ``revision`` with the rows ``table``'s history keeps of the
    previous revision for ``key`` (``compare``: ``pass_changes`` or ``contact_changes``),
    write the changes of ``kinds`` (:func:`record_changes`) and return them; none for a
    first revision."""
    fields = [column.name for column in table.columns if column.name in _COMPARED]
    before, old = previous_revision_rows(conn, table, key, revision, fields)
    if before is None:
        return []
    changes = compare(old, new_rows, threshold_s)
    record_changes(conn, key["day"], revision, group_names, key["station_id"], kinds, changes, before)
    return changes


#: The columns the comparisons of :mod:`constops.revision_changes` read.
_COMPARED = ("norad_cat_id", "group_name", "station_id", "min_elevation_deg", "antenna_id", "aos", "tca", "los",
             "contact_start", "contact_end")


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
