"""coverage: the fleet's status and Kazakhstan's coverage for one UTC day.

(This file is not named coverage.py: task processes have the DAG folder on sys.path,
where a coverage.py shadows the coverage package that libraries import; Numba does.)

Runs once for each day partition that ``tle_ingest`` publishes (or by hand with the
``day`` parameter). ``compute_day`` reads once which snapshot each constellation's day is
computed from; every later task uses that snapshot. A constellation without one is left
out, the others are computed, and the run then fails naming it. A day that fits one shard
per constellation (the cost model; every shipped constellation) is computed, loaded and
checked whole inside ``compute_day``, and the tasks after it are skipped. A larger day
runs them: ``fleet_status`` labels every satellite from
its elements and records the satellites whose SGP4 propagation fails during the day. The
day's satellites are then split into shards of at most ``[coverage] shard_satellites``
(settings); ``count_coverage`` is mapped over the shards (each counts the satellites in
view of its block at every cell, time step and elevation mask, for all and for
operational satellites, direct and through a gateway, and stores the counts in the work
area), and ``load_coverage`` adds them up and loads ``coverage_daily``,
``coverage_cells`` and ``coverage_timeseries``, replacing any earlier result of the
same day in one transaction: the same rows whatever the shard size.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from constops.api import check_coverage_day
from constops_airflow.day_tasks import every_constellation, quality_gate
from constops_airflow.runs import per_day_dag
from constops_airflow.sharding import sharded
from constops_airflow.whole_day import compute_day, coverage_day


@dag(**per_day_dag("coverage", tags=["coverage"], doc_md=__doc__))
def coverage():
    @task
    def fleet_status(snapshots: list[dict], **context) -> list[dict]:
        """Label the day's satellites (operational, raising, manoeuvring, decaying, stranded, stale),
        find those whose propagation fails in the day, and load fleet_status and propagation_errors."""
        from constops.api import compute_fleet_day
        from constops_airflow.runs import for_each_snapshot

        return for_each_snapshot(context, snapshots, compute_fleet_day)

    snapshots, failed = compute_day("coverage", coverage_day)
    shards, loaded = sharded(
        "coverage", snapshots, compute_task_id="count_coverage", load_task_id="load_coverage",
        compute_doc="Count the satellites of one shard in view of every cell and store the counts.",
        load_doc="Add up the shards' counts and load the day's coverage figures for every group.",
    )
    fleet_status(snapshots) >> shards  # coverage of operational satellites needs the day's labels
    loaded >> quality_gate(check_coverage_day, snapshots) >> every_constellation(failed)


coverage()
