"""Reading result tables back for comparisons between runs."""

from sqlalchemy import select

#: Columns that record when a row was written, not what it says.
VOLATILE = frozenset({"computed_at", "recorded_at"})


def table_rows(engine, tables) -> dict[str, list[tuple]]:
    """Return each table's rows, volatile columns left out, sorted: equal across equal runs."""
    rows = {}
    with engine.connect() as conn:
        for table in tables:
            columns = [c for c in table.c if c.name not in VOLATILE]
            rows[table.name] = sorted(tuple(row) for row in conn.execute(select(*columns)))
    return rows
