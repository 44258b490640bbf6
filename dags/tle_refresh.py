"""tle_refresh: new elements are the event. Every two hours (02:00 ... 22:00 UTC; the daily
``tle_ingest`` asks at 00:00), ask CelesTrak once per configured constellation for its GP
data, unless the group was asked less than ``[ingest] refresh_interval_h`` ago (2 h by
default, never less), with the same User-Agent, pacing and archive.

An answer whose element sets equal the newest snapshot's, or CelesTrak's "has not updated"
notice, is no event: the run ends green with nothing new while the group's newest snapshot
is fresh enough for today, and fails as the daily run would without one. An answer with
changed element sets is archived and loaded as a snapshot, revises every day from today up
to ``[pipeline] horizon_days`` ahead for which it is the newest snapshot, and ``publish``
emits those days' partitions of ``gp_elements``: ``coverage`` and ``gateway_passes`` then
recompute just those days (each a new revision, the earlier kept). Each request is logged
in ``celestrak_requests``.

Partitioned asset events rather than an asset watcher: the event is a change of content,
known only once the answer is fetched, archived and compared, which is a task's work (its
log, its failure, CelesTrak's one-request rule); a watcher's trigger runs in the triggerer
without these, and Airflow 3.3's watchers cannot name a partition.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowSkipException

from constops_airflow.assets import GP_ELEMENTS
from constops_airflow.day_tasks import every_constellation
from constops_airflow.runs import DEFAULT_ARGS, FIRST_DAG_DATE, refresh_timetable


@dag(
    dag_id="tle_refresh",
    schedule=refresh_timetable(),
    start_date=FIRST_DAG_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"replay": Param(False, type="boolean", title="Replay",
                            description="Set by make replay: the answers are archived ones served from 127.0.0.1; "
                                        "the revisions they make are recorded with the cause 'replay'.")},
    tags=["constops", "ingest", "celestrak"],
    doc_md=__doc__,
)
def tle_refresh():
    @task(retries=0, multiple_outputs=True)
    def refresh(**context) -> dict:
        """Ask CelesTrak for every constellation not asked within the interval; load what changed
        and revise the horizon's days it is newest for. Not retried (CelesTrak's policy)."""
        from constops_airflow.runs import refresh_every_constellation

        summaries, failed = refresh_every_constellation(context)
        return {"summaries": summaries, "failed": failed,
                "days": sorted({d for s in summaries for d in s["revised_days"]})}

    @task(outlets=[GP_ELEMENTS])
    def publish(days: list[str], summaries: list[dict], **context) -> list[str]:
        """Publish the revised days' partitions of gp_elements; skipped when nothing changed
        (a skipped task emits no asset event)."""
        if not days:
            raise AirflowSkipException("no new element sets: no day revised")
        event = context["outlet_events"][GP_ELEMENTS]
        event.extra = {"days": days, "snapshots": summaries}
        event.add_partitions(days)
        return days

    out = refresh()
    publish(out["days"], out["summaries"]) >> every_constellation(out["failed"], done="refreshed")


tle_refresh()
