"""tle_ingest: every UTC day, the GP element sets that the day's results are computed from.

For today (a day that started less than ``live_window_h`` ago) it fetches each
configured constellation once from CelesTrak in OMM JSON (requests spaced by
``[pipeline] request_spacing_s``), archives the raw answer, validates
it and loads the element sets. For a past day it never calls CelesTrak: it uses the
archived snapshot that was current at the day's start. Each record of an answer is
loaded (flagged when unusual) or set aside with its reason; the task's log, its result
and ``alerts.log`` say how many, by rule, with the first NORAD ids. The snapshot must be
fresh for the day (``[ingest] max_snapshot_age_days``, or the run's
``max_snapshot_age_days`` override). Either way it assigns the snapshot to the day and publishes the day's partition of ``gp_elements``, which
starts ``coverage`` and ``gateway_passes`` for that same day. For today, CelesTrak is asked
at most once in ``[ingest] refresh_interval_h`` (``tle_refresh`` asks in between): a "has not
updated" notice is no failure while the newest snapshot is fresh, and an answer with changed
element sets also revises, and publishes, the days of the horizon (``[pipeline]
horizon_days``) it is the newest snapshot for. A constellation that
fails is left out of the day's partition and named by ``every_constellation``, which
then fails the run; the others are computed all the same.
"""

from __future__ import annotations

from airflow.sdk import CronPartitionTimetable, Param, dag, task

from constops_airflow.assets import GP_ELEMENTS
from constops_airflow.day_tasks import every_constellation
from constops_airflow.runs import DAY_PARAM, DEFAULT_ARGS, FIRST_DAG_DATE, ingest_runs_at_once


@dag(
    dag_id="tle_ingest",
    schedule=CronPartitionTimetable("0 0 * * *", timezone="UTC", key_format="%Y-%m-%d"),
    start_date=FIRST_DAG_DATE,
    catchup=False,
    max_active_runs=ingest_runs_at_once(),
    default_args=DEFAULT_ARGS,
    params={
        "day": DAY_PARAM,
        "snapshot_choice": Param(
            "as_of_start", enum=["as_of_start", "nearest"], title="Snapshot",
            description="as_of_start: what was known at the day's start (live fetch for today). "
                        "nearest: the archived snapshot nearest the middle of the day (hindsight, for analysis).",
        ),
        "max_snapshot_age_days": Param(
            None, type=["null", "number"], minimum=0, title="Accept older elements (days)",
            description="Override of [ingest] max_snapshot_age_days for this run: compute the day from a "
                        "snapshot up to this many days from its start. Recorded with the day's results.",
        ),
    },
    tags=["constops", "ingest", "celestrak"],
    doc_md=__doc__,
)
def tle_ingest():
    @task(outlets=[GP_ELEMENTS], retries=0, multiple_outputs=True)
    def ingest(**context) -> dict:
        """Fetch (today) or select (past day) each constellation's snapshot and assign it to the day.

        Each constellation on its own: one that fails (refused, odd answer, no snapshot for the
        day) is reported and left out, and the others' day goes on. Fails only when none is
        left. Not retried: CelesTrak blocks clients that repeat refused requests.
        """
        from constops_airflow.runs import ingest_every_constellation, run_day

        day = run_day(context)
        summaries, failed = ingest_every_constellation(context)
        event = context["outlet_events"][GP_ELEMENTS]
        event.extra = {"day": day.isoformat(), "snapshots": summaries, "failed": failed}
        # The run's day (also for a run triggered with the 'day' parameter) and every day of
        # the horizon that a new answer revised: the downstream DAGs compute each of them.
        event.add_partitions(sorted({day.isoformat(), *(d for s in summaries for d in s["days_to_compute"])}))
        return {"snapshots": summaries, "failed": failed}

    every_constellation(ingest()["failed"], done="ingested")


tle_ingest()
