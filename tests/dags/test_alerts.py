"""An alert always carries the real error, also when Airflow failed a task from outside its
code and no exception reached the callback."""

import json
from pathlib import Path
from types import SimpleNamespace

from airflow.configuration import conf

from constops_airflow.alerts import alert_line


def _context(ti, exception=None):
    return {"ti": ti, "dag_run": SimpleNamespace(partition_key="2025-11-20"), "params": {}, "exception": exception}


def test_an_exception_gives_its_type_and_first_line():
    ti = SimpleNamespace(dag_id="coverage", task_id="fleet_status", run_id="r1", try_number=2)
    line = alert_line(_context(ti, ValueError("snapshot 7: no element sets\nmore")))
    assert line.endswith("FAILED coverage.fleet_status day=2025-11-20 try=2 run=r1: ValueError: snapshot 7: no element sets")


def test_without_an_exception_the_alert_quotes_the_last_error_of_the_task_log():
    ti = SimpleNamespace(dag_id="tle_ingest", task_id="ingest", run_id="manual__x", try_number=1)
    log_file = (Path(conf.get("logging", "base_log_folder")) / "dag_id=tle_ingest" / "run_id=manual__x"
                / "task_id=ingest" / "attempt=1.log")
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.write_text("\n".join(json.dumps(e) for e in [
        {"level": "info", "event": "starting"},
        {"level": "error", "event": "httpx.ConnectError: [Errno 111] Connection refused"},
        {"level": "info", "event": "done"},
    ]) + "\n")
    line = alert_line(_context(ti))
    assert "no exception" not in line
    assert "failed outside the task's code (httpx.ConnectError: [Errno 111] Connection refused)" in line
    assert f"task log {log_file}" in line and "workers reach Airflow at" in line


def test_a_task_that_never_started_says_so():
    ti = SimpleNamespace(dag_id="coverage", task_id="load_coverage", run_id="never", try_number=1)
    line = alert_line(_context(ti))
    assert "no error line in its log" in line and "the task never started" in line
