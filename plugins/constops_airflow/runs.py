"""What a DAG run is about: its UTC day, and the defaults every pipeline task shares."""

from __future__ import annotations

from datetime import date, timedelta

from airflow.sdk import Param

from constops_airflow.alerts import alert_on_failure

#: The ``day`` run parameter: operators set it when they trigger a run by hand.
DAY_PARAM = Param(
    None,
    type=["null", "string"],
    format="date",
    title="Day (UTC)",
    description="UTC day to compute, YYYY-MM-DD. Leave empty for scheduled and asset-triggered runs.",
)

DEFAULT_ARGS = {
    "owner": "constellation-ops",
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
    "on_failure_callback": alert_on_failure,
}


def run_day(context) -> date:
    """Return the UTC day a run computes: its partition key (scheduled, backfilled and
    asset-triggered runs), else the ``day`` parameter (manual runs), else its logical date."""
    from constops.timescale import parse_day

    dag_run = context["dag_run"]
    for source, value in (
        ("partition key", getattr(dag_run, "partition_key", None)),
        ("'day' parameter", context["params"].get("day")),
    ):
        if value:
            try:
                return parse_day(value)
            except ValueError as exc:
                raise ValueError(f"run {dag_run.run_id}: {source} {value!r}: {exc}") from None
    logical_date = context.get("logical_date")
    if logical_date is not None:
        return logical_date.date()
    raise ValueError(
        f"run {dag_run.run_id} names no day: trigger it with the 'day' parameter (YYYY-MM-DD)"
    )


def for_each_group(context, compute) -> list[dict]:
    """Return ``compute(engine, settings, group, day)`` for every configured group, for the
    run's day, on the reporting database (the body of every per-day computing task)."""
    from constops.settings import load_settings
    from constops_airflow.resources import reporting_engine

    day, settings, engine = run_day(context), load_settings(), reporting_engine()
    return [compute(engine, settings, group, day) for group in settings.groups]
