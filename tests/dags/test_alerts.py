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


def test_the_airflow_layer_adds_the_remedy_the_librarys_facts_call_for():
    from datetime import date

    from constops.errors import DataQualityError, NoSnapshotError, SnapshotSupersededError, SnapshotTooOldError
    from constops_airflow.remedies import explained

    day = date(2026, 5, 31)
    too_old = SnapshotTooOldError("qianfan 2026-05-31: 46.4 days old.", constellation_id="qianfan", day=day, snapshot_id=1,
                                  age_days=46.44, limit_days=3.0, needed_days=46.5)
    assert explained(too_old).startswith("qianfan 2026-05-31: 46.4 days old. Import an answer downloaded within 3 days")
    assert "make pipeline DAY=2026-05-31 MAX_AGE_DAYS=46.5" in explained(too_old)
    assert "make import FILES=" in explained(NoSnapshotError("none", day=day, missing="archived"))
    assert explained(NoSnapshotError("none", day=day, missing="assigned")).endswith("Run tle_ingest for 2026-05-31 first")
    assert "snapshot 7" in explained(SnapshotSupersededError("moved", day=day, snapshot_id=6, current_snapshot_id=7))
    # No remedy but a fix of the data: the message alone, unchanged.
    assert explained(NoSnapshotError("no loaded snapshot has id 9", snapshot_id=9, missing="loaded")) == (
        "no loaded snapshot has id 9")
    assert explained(DataQualityError("2 checks failed", failed_checks=("a", "b"))) == "2 checks failed"


def test_a_plan_without_a_contact_or_under_the_threshold_is_a_notice_and_a_good_one_is_not(tmp_path, monkeypatch):
    from constops_airflow.alerts import report_schedule

    alerts = tmp_path / "alerts.log"
    monkeypatch.setenv("CONSTOPS_ALERTS_FILE", str(alerts))
    ti = SimpleNamespace(dag_id="gateway_passes", task_id="plan_contacts", run_id="r1", try_number=1)
    plan = {"station_id": "akkol", "day": "2025-11-20", "contacts": 561, "antennas": 4, "percent_day_one_link": 93.569,
            "percent_day_usable": 93.851, "percent_day_two_links": 72.154, "longest_outage_s": 1334.0,
            "solver_status": "FEASIBLE", "solver_gap": 0.0232, "solve_s": 18.0}
    report_schedule(_context(ti), plan, 90.0)
    assert not alerts.exists()
    report_schedule(_context(ti), {**plan, "contacts": 0, "percent_day_one_link": 0.0}, 90.0)
    report_schedule(_context(ti), plan, 95.0)
    empty, low = alerts.read_text().splitlines()
    assert "NOTICE gateway_passes.plan_contacts day=2025-11-20 run=r1: contact plan with no feasible contact" in empty
    assert "contact plan with continuity under 95 %: akkol 2025-11-20: 561 contacts on 4 antennas" in low
