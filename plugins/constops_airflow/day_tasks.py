"""Tasks of the per-day DAGs after ``compute_day`` (``whole_day``): the contact plan, the sun
outages, the quality gate and the run's verdict, each also callable inside one task."""

from __future__ import annotations

from airflow.sdk import task

from constops.api import DataQualityError

#: Task docs as literals: docstrings are gone under ``python -OO``.
GATE_DOC = "Fail the run when the day's loaded rows are impossible (ranges, counts, ordering, one snapshot)."
PLAN_DOC = ("Plan each gateway's antennas over the day from the run's snapshots (CP-SAT: which antenna tracks "
            "which satellite, handovers make-before-break, clear of the GSO arc and the Sun) and load the day's "
            "contact plan, keep-outs and schedule summary per station.")
SUN_DOC = ("Find when the Sun stands within each GEO station's beam behind its satellites (the spring and "
           "autumn sun outages) over the day, from the run's snapshots, and load them per station: no row on a "
           "day without an outage.")
VERDICT_DOC = ("Fail the run, naming each constellation whose day could not be {done} and why; the others' "
               "day goes on. Green only when every configured constellation's day was {done}.")


def plan_contacts(snapshots):
    """Add the task that plans the contacts of every station with antennas that serves a
    constellation of ``snapshots``, loads each station's day in one transaction and writes
    its pointing files to the work area; a plan
    without a contact, or with continuity under ``[contact_plan] continuity_alert_percent``,
    appends a NOTICE to the alerts file. Return the task's output (one summary per station)."""

    @task(task_id="plan_contacts", doc_md=PLAN_DOC)
    def plan(snapshots: list[dict], **context) -> list[dict]:
        return plan_every_station(context, snapshots)

    return plan(snapshots)


def plan_every_station(context, snapshots: list[dict]) -> list[dict]:
    """Plan and load the run's day of every station with antennas that serves a
    constellation of ``snapshots`` (see :func:`plan_contacts`); return one summary per station."""
    from constops.api import load_settings, plan_station_day, planned_stations
    from constops_airflow.alerts import report_changes, report_schedule
    from constops_airflow.resources import reporting_engine, work_area
    from constops_airflow.runs import run_day

    day, settings, engine, work = run_day(context), load_settings(), reporting_engine(), work_area()
    snapshot_ids = {s["constellation_id"]: s["snapshot_id"] for s in snapshots}
    summaries = []
    for station in planned_stations(settings, snapshot_ids):
        summary = plan_station_day(engine, settings, station.station_id, day, snapshot_ids, work)
        report_schedule(context, summary, settings.contact_plan.continuity_alert_percent)
        report_changes(context, summary)
        summaries.append(summary)
    return summaries


def find_sun_outages(snapshots):
    """Add the task that finds the day's sun outages at every station with a ``geo_beam``
    that serves a GEO constellation of ``snapshots``, and loads each station's day in one
    transaction (``sun_outages``). Return the task's output: the summary of
    ``sun_outages_day`` (one entry per station)."""

    @task(task_id="find_sun_outages", doc_md=SUN_DOC)
    def find(snapshots: list[dict], **context) -> dict:
        return sun_outages_of(context, snapshots)

    return find(snapshots)


def sun_outages_of(context, snapshots: list[dict]) -> dict:
    """Find and load the run's day of sun outages (see :func:`find_sun_outages`); return the
    summary of ``sun_outages_day``."""
    from constops.api import load_settings, sun_outages_day
    from constops_airflow.resources import reporting_engine
    from constops_airflow.runs import run_day

    day, settings, engine = run_day(context), load_settings(), reporting_engine()
    return sun_outages_day(engine, settings, day, {s["constellation_id"]: s["snapshot_id"] for s in snapshots})


def quality_gate(check_day, snapshots):
    """Add the task that fails the run when the day's loaded rows are impossible (ranges,
    counts, ordering, one snapshot), with ``check_day(engine, settings, group, day)`` (one
    of ``constops.quality``'s ``check_*_day``), for every constellation of ``snapshots``;
    not retried (the same rows fail the same way). Return the task's output."""

    @task(task_id="quality_gate", retries=0, doc_md=GATE_DOC)
    def gate(snapshots: list[dict], **context) -> list[dict]:
        return check_every_day(context, snapshots, check_day)

    return gate(snapshots)


def check_every_day(context, snapshots: list[dict], check_day) -> list[dict]:
    """Return ``check_day(engine, settings, group, day)`` for every constellation of
    ``snapshots``; when any fails, check the others too, then raise one DataQualityError
    naming every failed check of every constellation."""
    from constops_airflow.runs import for_each_snapshot

    failures, failed_checks = [], []

    def checked(engine, settings, constellation_id, day, _):
        try:
            return check_day(engine, settings, constellation_id, day)
        except DataQualityError as exc:  # check the others too, then fail naming all
            failures.append(str(exc))
            failed_checks.extend(exc.failed_checks)
            return {"constellation_id": constellation_id, "failed": str(exc)}

    results = for_each_snapshot(context, snapshots, checked)
    if failures:
        raise DataQualityError("; ".join(failures), failed_checks=tuple(failed_checks))
    return results


def every_constellation(failed, done: str = "computed"):
    """Add the run's last task: it fails, naming each constellation left out and why, when
    ``failed`` (``[{"constellation_id", "error"}]`` from ``compute_day`` or the ingest) is
    not empty, so that a run is green only when every configured constellation's day was
    ``done`` (computed, ingested). Return the task's output."""

    @task(task_id="every_constellation", retries=0, doc_md=VERDICT_DOC.format(done=done))
    def verdict(failed: list[dict]) -> int:
        from constops_airflow.runs import fail_for_groups

        fail_for_groups(done, failed)
        return 0

    return verdict(failed)
