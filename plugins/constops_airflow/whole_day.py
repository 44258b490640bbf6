"""A run's first task, which computes a small day whole.

Each per-day DAG begins with ``compute_day``: it reads once which snapshot each
constellation's day is computed from, then asks the cost model (``[pipeline]
task_overhead_s``, the products' ``satellite_cost_s``, the slots) whether the day fits one
shard per constellation. A day that fits (Qianfan's 108-238 satellites, any of the shipped
constellations) is computed, loaded and checked in this one task, and the sharded tasks
after it are skipped: a task instance costs 1.5-4 s of Airflow (its process, imports, the
execution API), more than such a day's work. A larger day goes on to the sharded tasks.
Both shapes load the same rows (tests/dags/test_daily_pipeline.py).
"""

from __future__ import annotations

from functools import partial

from airflow.sdk import task

#: Task doc as a literal: docstrings are gone under ``python -OO``.
COMPUTE_DAY_DOC = (
    "Read once which snapshot each constellation's day is computed from; every later task of the run uses that "
    "one. A day that fits one shard per constellation (the cost model of [pipeline] task_overhead_s) is computed, "
    "loaded and checked here, and the tasks after this one are skipped; a larger day goes on to them, sharded. "
    "Fails, after computing the others, naming each constellation without a snapshot for the day.")


def compute_day(product: str, whole):
    """Add the run's first task: it resolves every constellation's snapshot of the day; when
    ``product`` (a key of ``constops.day.products.PRODUCTS``) fits one block for every
    constellation, ``whole(context, snapshots)`` computes, loads and checks the day in this
    task and every task after it is skipped; otherwise those tasks run (the sharded shape).
    Return the task's outputs ``(snapshots, failed)``, as XCom keys:
    ``[{"constellation_id", "day", "snapshot_id"}]`` and ``[{"constellation_id", "error"}]``."""

    @task.branch(task_id="compute_day", doc_md=COMPUTE_DAY_DOC)
    def first(**context) -> list[str] | None:
        from constops.api import fits_one_block, load_settings, resolve_day_snapshot
        from constops_airflow.resources import reporting_engine
        from constops_airflow.runs import fail_for_groups, for_each_group_apart

        resolved, failed = for_each_group_apart(context, resolve_day_snapshot)
        context["ti"].xcom_push(key="snapshots", value=resolved)
        context["ti"].xcom_push(key="failed", value=failed)
        if not fits_one_block(reporting_engine(), load_settings(), product, resolved):
            return sorted(context["task"].downstream_task_ids)  # the sharded shape
        whole(context, resolved)
        fail_for_groups("computed", failed)
        return None  # computed: skip the sharded tasks

    out = first()
    return out["snapshots"], out["failed"]


def coverage_day(context, snapshots: list[dict]) -> None:
    """Compute and load the run's fleet status and coverage of every constellation of
    ``snapshots`` in one block each, then check them (the whole ``coverage`` DAG)."""
    from constops.api import check_coverage_day, compute_fleet_day, compute_whole
    from constops_airflow.runs import for_each_snapshot

    for_each_snapshot(context, snapshots, compute_fleet_day)
    _loaded(context, for_each_snapshot(context, snapshots, partial(compute_whole, "coverage")))
    _checked(context, snapshots, check_coverage_day)


def gateway_day(context, snapshots: list[dict]) -> None:
    """Compute and load the run's passes of every constellation of ``snapshots`` in one
    block each, plan every station's contacts, find the sun outages, then check them (the
    whole ``gateway_passes`` DAG)."""
    from constops.api import check_gateway_day, compute_whole
    from constops_airflow.day_tasks import plan_every_station, sun_outages_of
    from constops_airflow.resources import work_area
    from constops_airflow.runs import for_each_snapshot

    _loaded(context, for_each_snapshot(context, snapshots, partial(compute_whole, "passes", work=work_area())))
    plan_every_station(context, snapshots)
    sun_outages_of(context, snapshots)
    _checked(context, snapshots, check_gateway_day)


def _loaded(context, summaries: list[dict]) -> None:
    """Alert the changes each load's summary names (a revision's, within ``[alerts] lead_h``)."""
    from constops_airflow.alerts import report_changes

    for summary in summaries:
        report_changes(context, summary)


def _checked(context, snapshots: list[dict], check_day) -> None:
    """Run the quality gate's checks; a failure fails the task at once (the same rows fail
    the same way on a retry), its message naming every failed check."""
    from airflow.sdk.exceptions import AirflowFailException

    from constops.api import DataQualityError
    from constops_airflow.day_tasks import check_every_day

    try:
        check_every_day(context, snapshots, check_day)
    except DataQualityError as exc:
        raise AirflowFailException(f"DataQualityError: {exc}") from exc
