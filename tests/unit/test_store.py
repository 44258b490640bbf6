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
