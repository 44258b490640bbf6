"""Failure alerts: one line an operator can act on, for every failed task.

The line goes to the task log (level ERROR) and is appended to
``$AIRFLOW_HOME/alerts.log`` (``CONSTOPS_ALERTS_FILE`` overrides), so an operator finds
every failure of the pipeline in one file: when, which DAG and task, which day, which
try, and the error's first line (which names the input and what was wrong).
"""

from __future__ import annotations

import logging
import os
import re
from datetime import date, datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)
ALERTS_ENV = "CONSTOPS_ALERTS_FILE"


def alert_line(context) -> str:
    """Return the one-line alert of a failed task instance."""
    ti = context["ti"]
    dag_run = context.get("dag_run")
    day = getattr(dag_run, "partition_key", None) or context.get("params", {}).get("day") or context.get("logical_date")
    error = context.get("exception")
    if error is not None:
        text = str(error).strip()
        reason = f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"
    else:
        reason = failure_outside_code(ti)
    return (f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} FAILED {ti.dag_id}.{ti.task_id} "
            f"day={day} try={ti.try_number} run={ti.run_id}: {reason}")


def failure_outside_code(ti) -> str:
    """Return why a task failed when no exception reached its callback (Airflow failed it from
    outside its code: the worker could not reach the API server, the process was killed, a
    heartbeat was lost): the last error its log holds, and where the log and the API are."""
    from airflow.configuration import conf

    log_file = (Path(conf.get("logging", "base_log_folder")) / f"dag_id={ti.dag_id}" / f"run_id={ti.run_id}"
                / f"task_id={ti.task_id}" / f"attempt={ti.try_number}.log")
    last = _last_error(log_file)
    where = f"task log {log_file}" if log_file.exists() else f"no task log at {log_file}: the task never started"
    api = conf.get("core", "execution_api_server_url", fallback="") or "(default)"
    return (f"failed outside the task's code ({last or 'no error line in its log'}); {where}; "
            f"workers reach Airflow at {api}")


def _last_error(log_file: Path) -> str | None:
    """Return the last error-level event of a task log (Airflow 3 writes JSON lines), if any."""
    import json

    try:
        lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-500:]
    except OSError:
        return None
    for line in reversed(lines):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("level") in ("error", "critical"):
            return str(event.get("event", "")).strip().splitlines()[0][:300]
    return None


def alert_on_failure(context) -> None:
    """on_failure_callback of every pipeline task: log and append the alert line."""
    line = alert_line(context)
    log.error(line)
    _append(line)


def report_group_failure(context, constellation_id: str, day, error: BaseException) -> dict:
    """Log the failure of one constellation while the others go on; return ``{"constellation_id",
    "error"}`` for the run's result. The alerts file gets one line per failed run, from the
    task that then fails naming every constellation left out (no line per constellation)."""
    from constops_airflow.remedies import explained

    ti = context["ti"]
    text = explained(error).strip()
    reason = f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"
    line = (f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} FAILED {ti.dag_id}.{ti.task_id} group={constellation_id} "
            f"day={day.isoformat()} try={ti.try_number} run={ti.run_id}: {reason}")
    log.error(line)
    return {"constellation_id": constellation_id, "error": reason}


def report_records(context, summary: dict) -> None:
    """Log the account of an ingested snapshot's records; when any record was set aside or
    the day's limit was overridden, also append a NOTICE line to the alerts file, so that
    what a green run left out is found in the same place as what failed."""
    ti = context["ti"]
    text = (f"{summary['constellation_id']} {summary['day']}: snapshot {summary['snapshot_id']} ({summary['selection']}, "
            f"elements {summary['snapshot_age_days']:.1f} days old): {summary['records']['text']}")
    log.info(text)
    if summary["records"]["set_aside"] or summary["age_override"]:
        override = f"; age limit overridden to {summary['max_age_days']:g} days" if summary["age_override"] else ""
        _append(f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} NOTICE {ti.dag_id}.{ti.task_id} "
                f"day={summary['day']} run={ti.run_id}: {text}{override}")


def report_schedule(context, summary: dict, alert_below_percent: float) -> None:
    """Log a station's contact plan of the day; when it has no contact, or its continuity is
    under ``alert_below_percent``, also append a NOTICE line to the alerts file."""
    ti = context["ti"]
    text = (f"{summary['station_id']} {summary['day']}: {summary['contacts']} contacts on {summary['antennas']} antennas, "
            f"one link {summary['percent_day_one_link']:.3f} % of the day (upper bound {summary['percent_day_usable']:.3f} %), "
            f"two {summary['percent_day_two_links']:.3f} %, longest outage {summary['longest_outage_s']:.0f} s; "
            f"solver {summary['solver_status']}, gap {summary['solver_gap']:.4f}, {summary['solve_s']:.1f} s")
    log.info(text)
    if summary["contacts"] == 0 or summary["percent_day_one_link"] < alert_below_percent:
        why = "no feasible contact" if summary["contacts"] == 0 else f"continuity under {alert_below_percent:g} %"
        _append(f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} NOTICE {ti.dag_id}.{ti.task_id} "
                f"day={summary['day']} run={ti.run_id}: contact plan with {why}: {text}")


def report_changes(context, summary: dict) -> None:
    """Log what a load's new revision changed (``summary["changes"]``: counts by kind) and
    append one NOTICE line per change within ``[alerts] lead_h`` (``summary["changes_soon"]``)."""
    ti = context["ti"]
    if summary.get("changes"):
        log.info("%s revision %s changed: %s", summary["day"], summary.get("revision"), summary["changes"])
    for change in summary.get("changes_soon", ()):
        _append(f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} NOTICE {ti.dag_id}.{ti.task_id} "
                f"day={summary['day']} run={ti.run_id}: revision {summary.get('revision')} changes soon: {change}")


def alerts_path() -> Path:
    """Return the alerts file: ``$CONSTOPS_ALERTS_FILE``, else ``$AIRFLOW_HOME/alerts.log``."""
    from constops_airflow.resources import airflow_home

    return Path(os.environ.get(ALERTS_ENV) or airflow_home() / "alerts.log")


#: A FAILED line of the alerts file: time, DAG.task, the day (a partition key, a ``day``
#: parameter or a logical date), the run and the reason.
_FAILED = re.compile(r"^(?P<at>\S+) FAILED (?P<task>\S+) day=(?P<day>\d{4}-\d{2}-\d{2})\S*(?: \S+)*? run=\S+: (?P<reason>.*)$")


def failures_by_day(first: date, last: date) -> dict[date, str]:
    """Return {day: the newest failure of the day}, from ``first`` to ``last``, as the alerts
    file says it: ``'<dag>.<task> failed at <time>: <reason>'``."""
    path = alerts_path()
    found: dict[date, str] = {}
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _FAILED.match(line)
        if not match:
            continue
        day = date.fromisoformat(match["day"])
        if first <= day <= last:
            found[day] = f"{match['task']} failed at {match['at']}: {match['reason']}"
    return found


def _append(line: str) -> None:
    with alerts_path().open("a", encoding="utf-8") as file:
        file.write(line + "\n")
