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
