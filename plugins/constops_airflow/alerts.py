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
    from constops_airflow.resources import airflow_home

    line = alert_line(context)
    log.error(line)
    path = os.environ.get(ALERTS_ENV) or str(airflow_home() / "alerts.log")
    with open(path, "a", encoding="utf-8") as file:
        file.write(line + "\n")
