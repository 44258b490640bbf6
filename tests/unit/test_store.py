"""The reporting database's schema, created by many processes at once (tasks start together)."""

import multiprocessing

from sqlalchemy import text

from constops.reporting.store import connect


def _connect(url):
    connect(url).dispose()


def test_six_processes_creating_the_schema_at_once_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'reporting.db'}"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_connect, args=(url,)) for _ in range(6)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * 6
    with connect(url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM daily_trend")).scalar_one() == 0


def test_the_trend_view_follows_the_configured_masks(reporting_url):
    from sqlalchemy import inspect

    from constops.reporting.store import connect

    def trend_columns(engine):
        return [c["name"] for c in inspect(engine).get_columns("daily_trend") if c["name"].startswith("percent_")]

    engine = connect(reporting_url, masks_deg=(10.0, 7.5))
    assert trend_columns(engine) == ["percent_time_covered_10deg", "percent_time_covered_7_5deg"]
    engine.dispose()
    engine = connect(reporting_url)  # the defaults again: the view is remade with their columns
    assert trend_columns(engine) == ["percent_time_covered_10deg", "percent_time_covered_25deg",
                                     "percent_time_covered_40deg"]
    engine.dispose()


def test_a_bulk_load_gives_back_every_value_exactly_and_replaces_in_its_transaction(reporting_url):
    """PostgreSQL loads with COPY (text format; psycopg 3 and psycopg2), SQLite with one
    executemany: the same rows come back, awkward values included, and a failing
    transaction leaves the old rows."""
    urls = [reporting_url]
    if reporting_url.startswith("postgresql://"):
        urls.append(reporting_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    for url in urls:
        _bulk_round_trip(url)


def _bulk_round_trip(reporting_url):
    import math
    from datetime import date, datetime, timezone

    import numpy as np
    import pytest
    from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Float, MetaData, String, Table, Text, select

    from constops.reporting.store import replace, replace_columns

    table = Table("bulk_probe", MetaData(), Column("day", Date, primary_key=True), Column("k", BigInteger, primary_key=True),
                  Column("name", String(32)), Column("note", Text), Column("x", Float), Column("flag", Boolean),
                  Column("at", DateTime(timezone=True)))
    engine = connect(reporting_url)
    table.create(engine)
    day = date(2026, 11, 1)
    at = datetime(2026, 11, 1, 12, 34, 56, 789012, tzinfo=timezone.utc)
    awkward = ["tab\there", "new\nline", "back\\slash \\N", "", "кириллица", "\r"]
    rows = [{"day": day, "k": k, "name": None if k == 3 else f"s{k}", "note": note,
             "x": [0.1 + 0.2, np.float64(1e-300), math.inf, -math.inf, 123456789.123456789, 5e-324][k],
             "flag": [True, np.bool_(False), None, True, False, True][k], "at": at} for k, note in enumerate(awkward)]
    with engine.begin() as conn:
        assert replace(conn, table, {"day": day}, rows) == 6
    with engine.connect() as conn:
        back = [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.k))]
    for got, sent in zip(back, rows):
        assert got["note"] == sent["note"] and got["name"] == sent["name"] and got["x"] == float(sent["x"])
        assert got["flag"] == (None if sent["flag"] is None else bool(sent["flag"]))
        assert got["at"].replace(tzinfo=timezone.utc) == at and got["day"] == day
    with pytest.raises(RuntimeError), engine.begin() as conn:
        replace(conn, table, {"day": day}, rows[:1])
        raise RuntimeError("the load fails after its COPY")
    with engine.connect() as conn:
        assert conn.execute(select(table.c.k)).scalars().all() == list(range(6))

    # The same rows as columns (NumPy arrays; datetime64[us] times; NaN for NULL) load the same.
    columns = {"k": np.arange(6, dtype=np.int64), "name": [r["name"] for r in rows], "note": awkward,
               "x": np.array([float(r["x"]) for r in rows]), "flag": [r["flag"] for r in rows],
               "at": np.full(6, np.datetime64(at.replace(tzinfo=None), "us"))}
    with engine.begin() as conn:
        assert replace_columns(conn, table, {"day": day}, columns) == 6
        assert replace_columns(conn, table, {"day": date(2026, 11, 2)}, {"k": np.array([7]), "x": np.array([np.nan]),
                                                                          "at": columns["at"][:1]}) == 1
    with engine.connect() as conn:
        again = [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.day, table.c.k))]
    assert [{**r, "at": r["at"].replace(tzinfo=timezone.utc)} for r in again[:6]] == [
        {**r, "at": r["at"].replace(tzinfo=timezone.utc)} for r in back]
    assert again[6]["x"] is None and again[6]["at"].replace(tzinfo=timezone.utc) == at
    table.drop(engine)
    engine.dispose()
