"""Connecting to the reporting database and loading rows idempotently."""

from __future__ import annotations

import fcntl
import io
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone

import numpy as np
from sqlalchemy import Boolean, Date, DateTime, Engine, Float, Integer, and_, create_engine, delete, event, select
from sqlalchemy.engine import Connection

from . import schema


def connect(url: str, masks_deg: Sequence[float] | None = None, station_ids: Sequence[str] | None = None) -> Engine:
    """Return an Engine for a SQLAlchemy URL with the reporting schema created, and the
    analysts' views made for ``masks_deg`` and ``station_ids`` (default: the default
    settings' masks and stations).

    SQLite connections wait up to 60 s for a lock (two DAGs may load at once)
    and enforce foreign keys.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if masks_deg is None:
        from ..defaults import default

        masks_deg = default("coverage", "masks_deg")
    if station_ids is None:
        from ..defaults import DEFAULTS

        station_ids = [s["station_id"] for s in DEFAULTS["stations"]]
    _create_schema(engine, schema.views(masks_deg, station_ids))
    return engine


#: Key of the PostgreSQL advisory lock taken while creating the schema, so that tasks
#: starting together (coverage, gateway_passes, backfill runs) do not race on DDL.
_SCHEMA_LOCK_KEY = 7_205_011


def _create_schema(engine: Engine, views: Mapping[str, str]) -> None:
    """Create the missing tables and (re)create the analysts' views, one process at a time:
    tasks that start together (coverage, gateway_passes, backfill runs) would otherwise race
    on the DDL. PostgreSQL: an advisory lock in the transaction; SQLite, whose DDL runs
    outside transactions: an exclusive lock on a file beside the database."""
    from sqlalchemy import text

    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            schema.metadata.create_all(conn)
            _add_missing_columns(conn)
            for name, sql in views.items():
                _replace_view_postgresql(conn, name, sql)
        return
    with _file_lock(engine.url.database):
        schema.metadata.create_all(engine)
        with engine.begin() as conn:
            _add_missing_columns(conn)
            for name, sql in views.items():
                create = f"CREATE VIEW {name} AS {sql}"
                stored = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = :n"),
                                      {"n": name}).scalar()
                if stored is None or stored.split() != create.split():  # new, or its SQL changed
                    conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
                    conn.execute(text(create))


def _add_missing_columns(conn: Connection) -> None:
    """Add the nullable columns that a database made by an earlier version lacks.

    ``create_all`` creates missing tables, never missing columns; every column added to
    an existing table since the first release is nullable, so ``ALTER TABLE ... ADD
    COLUMN`` brings an older database up to date on SQLite and PostgreSQL alike (rows
    written before have NULL there). Hand-written rather than Alembic: one rule, no
    history of revisions to keep, and it runs under the schema lock above."""
    from sqlalchemy import inspect, text

    inspector = inspect(conn)
    for table in schema.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                if not column.nullable:
                    raise RuntimeError(f"table {table.name} lacks the NOT NULL column {column.name}: migrate it by hand")
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))


def upsert(conn: Connection, table, rows: Iterable[Mapping[str, object]], key: Iterable[str]) -> None:
    """Insert ``rows`` into ``table``, updating every other column where a row of the same
    ``key`` columns exists (SQLite and PostgreSQL ``ON CONFLICT DO UPDATE``)."""
    from sqlalchemy.dialects import postgresql, sqlite

    rows = [dict(row) for row in rows]
    if not rows:
        return
    key = list(key)
    statement = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[conn.dialect.name](table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in key],
        set_={name: statement.excluded[name] for name in rows[0] if name not in key},
    )
    conn.execute(statement, rows)


def _replace_view_postgresql(conn: Connection, name: str, sql: str) -> None:
    """Create or replace a view; when its columns changed (other masks), which CREATE OR
    REPLACE refuses, drop it first. Grants on a dropped view go with it: rerun
    analyst_role.sql after changing the masks."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    savepoint = conn.begin_nested()
    try:
        conn.execute(text(f"CREATE OR REPLACE VIEW {name} AS {sql}"))
        savepoint.commit()
    except DBAPIError:  # "cannot change name of view column ..."
        savepoint.rollback()
        conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
        conn.execute(text(f"CREATE VIEW {name} AS {sql}"))


@contextmanager
def _file_lock(database: str | None):
    """Hold an exclusive lock on ``<database>.lock`` (nothing for an in-memory database)."""
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def replace(conn: Connection, table, key: Mapping[str, object], rows: Iterable[Mapping[str, object]]) -> int:
    """Delete the rows of ``table`` matching every ``key`` column, insert ``rows``; return
    the number inserted. Call inside a transaction so that readers see old or new, never half."""
    _delete(conn, table, key)
    rows = [dict(row) for row in rows]
    insert_rows(conn, table, rows)
    return len(rows)


def replace_columns(conn: Connection, table, key: Mapping[str, object], columns: Mapping[str, Sequence],
                    repeated: Mapping[str, object] | None = None) -> int:
    """As :func:`replace`, with the rows given as equal-length columns (lists or NumPy arrays:
    ``datetime64[us]`` for UTC times, NaN for NULL in float arrays) and the values of ``key``
    and ``repeated`` in every row; return the number of rows inserted."""
    _delete(conn, table, key)
    n_rows = len(next(iter(columns.values())))
    if n_rows:
        insert_columns(conn, table, columns, {**key, **(repeated or {})})
    return n_rows


def replace_revision(conn: Connection, table, key: Mapping[str, object], revision: int,
                     rows: Iterable[Mapping[str, object]] | None = None, columns: Mapping[str, Sequence] | None = None,
                     repeated: Mapping[str, object] | None = None) -> int:
    """Load the rows of ``key`` of revision ``revision`` as the rows in force (:func:`replace`
    with ``rows``, or :func:`replace_columns` with ``columns`` and ``repeated``) and, for a
    table whose revisions are kept (``schema.HISTORY``), copy them to its history table;
    return the number of rows loaded. Call inside the load's transaction: the revision is
    written whole or not at all."""
    if columns is not None:
        loaded = replace_columns(conn, table, key, columns, {**(repeated or {}), "revision": revision})
    else:
        loaded = replace(conn, table, key, ({**row, "revision": revision} for row in rows))
    if table.name in schema.HISTORY:
        keep_revision(conn, table, key, revision)
    return loaded


def keep_revision(conn: Connection, table, key: Mapping[str, object], revision: int) -> int:
    """Copy the rows of ``table`` matching every ``key`` column (the revision in force, just
    loaded in this transaction) into its history table ``<table>_revisions`` as revision
    ``revision``, replacing an earlier copy of that revision (a rerun); return the rows copied."""
    history = schema.HISTORY[table.name]
    _delete(conn, history, {**key, "revision": revision})
    names = [column.name for column in history.columns]
    where = and_(*(table.c[name] == value for name, value in key.items()))
    return conn.execute(history.insert().from_select(names, select(*(table.c[name] for name in names)).where(where))).rowcount


def _delete(conn: Connection, table, key: Mapping[str, object]) -> None:
    """Delete the rows of ``table`` matching every ``key`` column."""
    conn.execute(delete(table).where(and_(*(table.c[name] == value for name, value in key.items()))))


def insert_rows(conn: Connection, table, rows: Sequence[Mapping[str, object]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` inside ``conn``'s transaction:
    on PostgreSQL (psycopg 3 or psycopg2) with one ``COPY ... FROM STDIN``, elsewhere with one
    executemany (SQLite: one prepared statement for every row)."""
    if not rows:
        return
    if _copies(conn):
        names = [column.name for column in table.columns if column.name in rows[0]]
        _copy(conn, table, {name: _copy_fields(table.c[name].type, [row.get(name) for row in rows]) for name in names})
    else:
        conn.execute(table.insert(), list(rows))


def insert_columns(conn: Connection, table, columns: Mapping[str, Sequence],
                   constant: Mapping[str, object] | None = None) -> None:
    """Insert rows given as equal-length columns (see :func:`replace_columns`), each also
    holding the values of ``constant``, into ``table`` inside ``conn``'s transaction, as
    :func:`insert_rows` does."""
    constant = constant or {}
    n_rows = len(next(iter(columns.values())))
    if _copies(conn):
        fields = {name: _copy_column(table.c[name].type, values) for name, values in columns.items()}
        fields |= {name: _copy_fields(table.c[name].type, [value]) * n_rows for name, value in constant.items()}
        _copy(conn, table, fields)
    else:
        values = [_python_values(v) for v in columns.values()]
        conn.execute(table.insert(), [{**constant, **dict(zip(columns, row))} for row in zip(*values)])


def _copies(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver in ("psycopg", "psycopg2")


def _copy(conn: Connection, table, fields: Mapping[str, list[str]]) -> None:
    """Send the rows whose columns are ``fields`` (name -> COPY text of each row's value) to
    ``table`` with PostgreSQL's COPY in its text format (tab-separated, ``\\N`` for NULL),
    on the DBAPI connection of ``conn``, so in its transaction."""
    text = "\n".join(map("\t".join, zip(*fields.values()))) + "\n"
    preparer = conn.dialect.identifier_preparer
    statement = (f"COPY {preparer.format_table(table)} ({', '.join(preparer.quote(name) for name in fields)}) "
                 f"FROM STDIN")
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if conn.dialect.driver == "psycopg2":
            cursor.copy_expert(statement, io.StringIO(text))
        else:
            with cursor.copy(statement) as copy:
                copy.write(text)
    finally:
        cursor.close()


def _copy_column(column_type, values: Sequence) -> list[str]:
    """Return a column given as a list or a NumPy array as fields of COPY's text format."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return [text + "+00:00" for text in np.datetime_as_string(values, unit="us").tolist()]
    return _copy_fields(column_type, _python_values(values))


def _python_values(values: Sequence) -> list:
    """Return a column as a list of Python values: datetime64 as aware UTC datetimes, float NaN as None."""
    if not isinstance(values, np.ndarray):
        return list(values)
    if values.dtype.kind == "M":
        return [moment.replace(tzinfo=timezone.utc) for moment in values.astype("datetime64[us]").tolist()]
    if values.dtype.kind == "f":
        return [None if v != v else v for v in values.tolist()]
    return values.tolist()


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _copy_fields(column_type, values: list) -> list[str]:
    """Return ``values`` of a column of ``column_type`` as fields of COPY's text format
    (floats exactly, by their shortest repr; one comprehension per column, not a call per value)."""
    if isinstance(column_type, Boolean):
        return [_NULL if v is None else ("t" if v else "f") for v in values]
    if isinstance(column_type, Integer):
        return [_NULL if v is None else str(int(v)) for v in values]
    if isinstance(column_type, Float):
        return [_NULL if v is None else float.__repr__(float(v)) for v in values]
    if isinstance(column_type, Date | DateTime):
        return [_NULL if v is None else v.isoformat() for v in values]
    return [_NULL if v is None else str(v).translate(_COPY_ESCAPES) for v in values]


def utc(moment: datetime | None) -> datetime | None:
    """Return a datetime read back from the database as aware UTC (SQLite drops the zone)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def count_rows(engine: Engine, table, **where: object) -> int:
    """Return the number of rows of ``table`` whose columns equal ``where``."""
    from sqlalchemy import func

    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())

