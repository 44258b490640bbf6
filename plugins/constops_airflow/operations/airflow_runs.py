"""Which Airflow runs computed which UTC day, read from Airflow's metadata database (the
API server's own session): the part of the pages that only Airflow knows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

#: The DAGs whose runs the pages show, in the order of a day's chain.
PIPELINE_DAGS = ("tle_ingest", "coverage", "gateway_passes")
#: Most recent runs read for the calendar (per call), newest first.
MAX_RUNS = 5000


def run_day(partition_key: str | None, conf: dict | None, logical_date: datetime | None) -> date | None:
    """Return the UTC day a run computes, as ``constops_airflow.runs.run_day`` decides it:
    the partition key, else the ``day`` parameter, else the logical date (None if none parses)."""
    for value in (partition_key, (conf or {}).get("day")):
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                return None
    return logical_date.date() if logical_date else None


def runs_by_day(first: date, last: date, base_url: str = "") -> dict[date, list[dict]]:
    """Return {day: runs} for the pipeline's runs of days ``first`` to ``last``, newest first;
    each run a dict of dag_id, run_id, state, run_type, start_date, end_date (ISO, UTC) and
    ``href`` (its page in Airflow's UI under ``base_url``)."""
    from urllib.parse import quote

    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    found: dict[date, list[dict]] = defaultdict(list)
    with create_session() as session:
        rows = session.execute(
            select(DagRun.dag_id, DagRun.run_id, DagRun.state, DagRun.run_type, DagRun.partition_key, DagRun.conf,
                   DagRun.logical_date, DagRun.start_date, DagRun.end_date)
            .where(DagRun.dag_id.in_(PIPELINE_DAGS)).order_by(DagRun.id.desc()).limit(MAX_RUNS)
        ).all()
    for row in rows:
        day = run_day(row.partition_key, row.conf, row.logical_date)
        if day is None or not first <= day <= last:
            continue
        found[day].append({
            "dag_id": row.dag_id, "run_id": row.run_id, "state": str(row.state), "run_type": str(row.run_type),
            "start_date": _iso(row.start_date), "end_date": _iso(row.end_date),
            "href": f"{base_url}/dags/{quote(row.dag_id)}/runs/{quote(row.run_id, safe='')}",
        })
    return found


def day_of_run(dag_id: str, run_id: str) -> date | None:
    """Return the day run ``run_id`` of ``dag_id`` computes (None: no such run, or no day)."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        row = session.execute(select(DagRun.partition_key, DagRun.conf, DagRun.logical_date)
                              .where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)).first()
    return run_day(row.partition_key, row.conf, row.logical_date) if row else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None
