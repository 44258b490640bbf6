"""Failure alerts: one line an operator can act on, for every failed task.

The line goes to the task log (level ERROR) and is appended to
``$AIRFLOW_HOME/alerts.log`` (``CONSTOPS_ALERTS_FILE`` overrides), so an operator finds
every failure of the pipeline in one file: when, which DAG and task, which day, which
try, and the error's first line (which names the input and what was wrong).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)
ALERTS_ENV = "CONSTOPS_ALERTS_FILE"


def alert_line(context) -> str:
    """Return the one-line alert of a failed task instance."""
    ti = context["ti"]
    dag_run = context.get("dag_run")
    day = getattr(dag_run, "partition_key", None) or context.get("params", {}).get("day") or context.get("logical_date")
    error = context.get("exception")
    reason = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}" if error else "no exception"
    return (f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} FAILED {ti.dag_id}.{ti.task_id} "
            f"day={day} try={ti.try_number} run={ti.run_id}: {reason}")


def alert_on_failure(context) -> None:
    """on_failure_callback of every pipeline task: log and append the alert line."""
    line = alert_line(context)
    log.error(line)
    _append(line)


def report_records(context, summary: dict) -> None:
    """Log the account of an ingested snapshot's records; when any record was set aside or
    the day's limit was overridden, also append a NOTICE line to the alerts file, so that
    what a green run left out is found in the same place as what failed."""
    ti = context["ti"]
    text = (f"{summary['group']} {summary['day']}: snapshot {summary['snapshot_id']} ({summary['selection']}, "
            f"elements {summary['snapshot_age_days']:.1f} days old): {summary['records']['text']}")
    log.info(text)
    if summary["records"]["set_aside"] or summary["age_override"]:
        override = f"; age limit overridden to {summary['max_age_days']:g} days" if summary["age_override"] else ""
        _append(f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} NOTICE {ti.dag_id}.{ti.task_id} "
                f"day={summary['day']} run={ti.run_id}: {text}{override}")


def alerts_path() -> Path:
    """Return the alerts file: ``$CONSTOPS_ALERTS_FILE``, else ``$AIRFLOW_HOME/alerts.log``."""
    from constops_airflow.resources import airflow_home

    return Path(os.environ.get(ALERTS_ENV) or airflow_home() / "alerts.log")


def _append(line: str) -> None:
    with alerts_path().open("a", encoding="utf-8") as file:
        file.write(line + "\n")
