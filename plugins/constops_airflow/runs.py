"""What a DAG run is about: its UTC day, and the defaults every pipeline task shares."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date, datetime, timezone

from airflow.sdk import Param

from constops_airflow.alerts import alert_on_failure

log = logging.getLogger(__name__)

#: ``start_date`` of every DAG. Deliberately long before ``[pipeline] first_day``: Airflow
#: ends a run whose logical date precedes the start date green without running a single
#: task, so a run for too early a day would look computed. With this date every run's
#: tasks start, and :func:`run_day` fails the ones for a day the pipeline cannot compute,
#: naming the accepted days. Catch-up is off, so the date creates no runs of its own.
FIRST_DAG_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)

#: The ``day`` run parameter: operators set it when they trigger a run by hand.
DAY_PARAM = Param(
    None,
    type=["null", "string"],
    format="date",
    title="Day (UTC)",
    description="UTC day to compute, YYYY-MM-DD. Leave empty for scheduled and asset-triggered runs.",
)

#: One retry, after Airflow's ``[core] default_task_retry_delay`` (300 s unless configured:
#: ``AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY``).
DEFAULT_ARGS = {
    "owner": "constellation-ops",
    "retries": 1,
    "on_failure_callback": alert_on_failure,
}


def per_day_dag(dag_id: str, tags: list[str], doc_md: str) -> dict:
    """Return the ``@dag`` arguments of a DAG that computes one day for each day partition of
    ``gp_elements`` that ``tle_ingest`` publishes (``coverage``, ``gateway_passes``): a run
    per partition, two per slot at once (``constops.slots.runs_at_once``), the
    ``day`` parameter for manual runs, the shared start date and task defaults, no catch-up."""
    from airflow.sdk import PartitionedAssetTimetable

    from constops.api import configured_slots, runs_at_once
    from constops_airflow.assets import GP_ELEMENTS

    return {
        "dag_id": dag_id, "schedule": PartitionedAssetTimetable(assets=GP_ELEMENTS), "start_date": FIRST_DAG_DATE,
        "catchup": False, "max_active_runs": runs_at_once(configured_slots()), "default_args": DEFAULT_ARGS,
        "params": {"day": DAY_PARAM},
        "tags": ["constops", *tags], "doc_md": doc_md,
    }


def ingest_runs_at_once() -> int:
    """Return ``tle_ingest``'s ``max_active_runs``: enough runs at once to keep the slots busy
    through a backfill (``constops.slots.ingests_at_once``)."""
    from constops.api import configured_slots, ingests_at_once

    return ingests_at_once(configured_slots())


def run_day(context) -> date:
    """Return the UTC day a run computes: its partition key (scheduled, backfilled and
    asset-triggered runs), else the ``day`` parameter (manual runs), else its logical date.

    A day the pipeline cannot compute (before ``[pipeline] first_day``, more than a day
    ahead, malformed) fails the task at once, without retries, saying what is accepted."""
    from airflow.sdk.exceptions import AirflowFailException

    from constops.api import DayOutOfRangeError, check_day, load_settings, utc_now

    dag_run = context["dag_run"]
    named = [(source, value) for source, value in (
        ("partition key", getattr(dag_run, "partition_key", None)),
        ("'day' parameter", context["params"].get("day")),
        ("logical date", context.get("logical_date")),
    ) if value]
    if not named:
        raise AirflowFailException(
            f"run {dag_run.run_id} names no day: trigger it with the 'day' parameter (YYYY-MM-DD)")
    source, value = named[0]
    try:
        settings = load_settings()
        return check_day(value.date() if source == "logical date" else value, settings.first_day, utc_now(),
                         settings.horizon_days)
    except DayOutOfRangeError as exc:
        shown = repr(value) if isinstance(value, str) else f"{value:%Y-%m-%d %H:%M} UTC"
        raise AirflowFailException(f"run {dag_run.run_id}: {source} {shown}: {exc}") from None


def for_each_group_apart(context, compute, done: str = "computed",
                         every_fault: bool = False) -> tuple[list[dict], list[dict]]:
    """Return ``(results, failed)``: ``compute(engine, settings, group, day)`` for every
    configured constellation that the library can compute (``results``), and
    ``{"group", "error"}`` for each one it cannot (no snapshot, too old a snapshot; with
    ``every_fault``, any exception), which is reported and left out so that the others'
    day goes on. Fails the task at once when no constellation's day could be ``done``."""
    from airflow.sdk.exceptions import AirflowFailException

    from constops.api import load_settings
    from constops_airflow.alerts import report_group_failure
    from constops_airflow.resources import reporting_engine

    day, settings, engine = run_day(context), load_settings(), reporting_engine()
    results, failed = [], []
    for constellation_id in settings.constellation_ids:
        try:
            with failing_for_good():
                results.append(compute(engine, settings, constellation_id, day))
        except AirflowFailException as exc:  # a permanent library error, remedy added
            failed.append(report_group_failure(context, constellation_id, day, exc.__cause__ or exc))
        except Exception as exc:
            if not every_fault:
                raise
            failed.append(report_group_failure(context, constellation_id, day, exc))
    if not results:
        fail_none_left(day, done, failed)
    return results, failed


def ingest_every_constellation(context) -> tuple[list[dict], list[dict]]:
    """Return ``(summaries, failed)`` of ``constops.day.ingest.ingest_day`` for every
    configured constellation, each on its own: one that fails in any way (refused, odd
    answer, no snapshot for the day) is reported and left out, and the others' day goes
    on; the task fails only when none is left. The run's ``snapshot_choice`` and
    ``max_snapshot_age_days`` parameters apply to all; each summary's record account is
    logged (and noted in the alerts file when records were set aside)."""
    from constops.api import ingest_day, load_settings, utc_now
    from constops_airflow.alerts import report_records
    from constops_airflow.resources import celestrak_fetcher, raw_archive

    settings, params, archive = load_settings(), context["params"], raw_archive()
    # One fetcher for the run's requests: it spaces them, and stops them all after a refusal.
    fetch = celestrak_fetcher(settings.user_agent, settings.limits.max_body_bytes, settings.request_spacing_s)

    def ingest(engine, settings, constellation_id, day):
        return ingest_day(engine, archive, settings, constellation_id, day, utc_now(), fetch,
                          params["snapshot_choice"], params.get("max_snapshot_age_days"))

    summaries, failed = for_each_group_apart(context, ingest, done="ingested", every_fault=True)
    for summary in summaries:
        report_records(context, summary)
    return summaries, failed


def refresh_timetable():
    """Return ``tle_refresh``'s schedule: every two hours from 02:00 to 22:00 UTC, the most
    often CelesTrak's data change (00:00 is the daily ``tle_ingest``'s). A longer ``[ingest]
    refresh_interval_h`` is kept by the request log, not the schedule: a run within the
    interval asks nothing (read at run time, so the DAG file parses without the settings)."""
    from airflow.timetables.trigger import CronTriggerTimetable

    return CronTriggerTimetable("0 2-22/2 * * *", timezone="UTC")


def refresh_every_constellation(context) -> tuple[list[dict], list[dict]]:
    """Return ``(summaries, failed)`` of ``constops.day.refresh.refresh_constellation`` for
    every configured constellation at the run's clock, each on its own: one that fails
    (refused, odd answer, no fresh snapshot) is reported and left out. Fails the task only
    when every constellation failed."""
    from constops.api import load_settings, refresh_constellation, utc_now
    from constops_airflow.alerts import report_group_failure
    from constops_airflow.resources import celestrak_fetcher, raw_archive, reporting_engine

    settings, engine, archive, now = load_settings(), reporting_engine(), raw_archive(), utc_now()
    cause = "replay" if context["params"].get("replay") else "refresh"
    fetch = celestrak_fetcher(settings.user_agent, settings.limits.max_body_bytes, settings.request_spacing_s)
    summaries, failed = [], []
    for constellation_id in settings.constellation_ids:
        try:
            with failing_for_good():
                summary = refresh_constellation(engine, archive, settings, constellation_id, now, fetch, cause)
            log.info("%s: %s", constellation_id, summary)
            summaries.append(summary)
        except Exception as exc:
            failed.append(report_group_failure(context, constellation_id, now.date(), exc.__cause__ or exc))
    if not summaries:
        fail_none_left(now.date(), "refreshed", failed)
    return summaries, failed


def fail_none_left(day: date, done: str, failed: list[dict]) -> None:
    """Fail the task at once: no constellation's ``day`` could be ``done`` (ingested, computed);
    the message lists every one with its reason."""
    from airflow.sdk.exceptions import AirflowFailException

    raise AirflowFailException(f"{day.isoformat()}: no constellation could be {done}: {_listed(failed)}")


def fail_for_groups(done: str, failed: list[dict]) -> None:
    """Fail the task naming every constellation of ``failed`` (``{"group", "error"}``) whose
    day was not ``done`` (ingested, computed), if any."""
    from airflow.sdk.exceptions import AirflowFailException

    if failed:
        raise AirflowFailException(f"{len(failed)} constellation(s) not {done}, the others were: {_listed(failed)}")


def _listed(failed: list[dict]) -> str:
    """Return "group: error; group: error" of ``failed``."""
    return "; ".join(f"{f['constellation_id']}: {f['error']}" for f in failed)


def for_each_snapshot(context, snapshots: list[dict], compute) -> list[dict]:
    """Return ``compute(engine, settings, group, day, snapshot_id)`` for every group's snapshot
    resolved at the start of the run (``snapshots``: what ``compute_day`` returned)."""
    from constops.api import load_settings
    from constops_airflow.resources import reporting_engine

    day, settings, engine = run_day(context), load_settings(), reporting_engine()
    with failing_for_good():
        return [compute(engine, settings, s["constellation_id"], day, s["snapshot_id"]) for s in snapshots]


@contextmanager
def failing_for_good():
    """Turn the library's errors that no retry can mend (``constops.errors.PERMANENT``: no
    snapshot for the day, too old a snapshot, a day reassigned meanwhile, a day out of
    range) into AirflowFailException, message kept and the remedy added: the task fails at
    once instead of retrying into the same answer."""
    from airflow.sdk.exceptions import AirflowFailException

    from constops.api import PERMANENT
    from constops_airflow.remedies import explained

    try:
        yield
    except PERMANENT as exc:
        raise AirflowFailException(f"{type(exc).__name__}: {explained(exc)}") from exc
