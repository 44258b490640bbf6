"""Tasks every per-day DAG begins and ends with: the run's snapshot, and the quality gate."""

from __future__ import annotations

from airflow.sdk import task

from constops.api import DataQualityError

#: Task docs as literals: docstrings are gone under ``python -OO``.
RESOLVE_DOC = ("Read once which snapshot each constellation's day is computed from; every later task of the run "
               "uses that one, so a tle_ingest rerun meanwhile cannot mix two snapshots in a day.")
GATE_DOC = "Fail the run when the day's loaded rows are impossible (ranges, counts, ordering, one snapshot)."
PLAN_DOC = ("Plan each gateway's antennas over the day from the run's snapshots (CP-SAT: which antenna tracks "
            "which satellite, handovers make-before-break, clear of the GSO arc and the Sun) and load the day's "
            "contact plan, keep-outs and schedule summary per station.")
SUN_DOC = ("Find when the Sun stands within each GEO station's beam behind its satellites (the spring and "
           "autumn sun outages) over the day, from the run's snapshots, and load them per station: no row on a "
           "day without an outage.")
VERDICT_DOC = ("Fail the run, naming each constellation whose day could not be {done} and why; the others' "
               "day goes on. Green only when every configured constellation's day was {done}.")


def resolve_snapshots():
    """Add the task that reads once which snapshot each constellation's day is computed from;
    every later task of the run uses that one, so a tle_ingest rerun meanwhile cannot mix two
    snapshots in a day. A constellation without a snapshot for the day is left out (the
    others go on) and named by :func:`every_constellation` at the end of the run. Return
    the task's outputs ``(snapshots, failed)``: ``[{"constellation_id", "day", "snapshot_id"}]`` and
    ``[{"constellation_id", "error"}]``."""

    @task(task_id="resolve_snapshots", doc_md=RESOLVE_DOC, multiple_outputs=True)
    def resolve(**context) -> dict:
        from constops.api import resolve_day_snapshot
        from constops_airflow.runs import for_each_group_apart

        resolved, failed = for_each_group_apart(context, resolve_day_snapshot)
        return {"snapshots": resolved, "failed": failed}

    out = resolve()
    return out["snapshots"], out["failed"]


def plan_contacts(snapshots):
    """Add the task that plans the contacts of every station with antennas that serves a
    constellation of ``snapshots``, loads each station's day in one transaction and writes
    its pointing files to the work area; a plan
    without a contact, or with continuity under ``[contact_plan] continuity_alert_percent``,
    appends a NOTICE to the alerts file. Return the task's output (one summary per station)."""

    @task(task_id="plan_contacts", doc_md=PLAN_DOC)
    def plan(snapshots: list[dict], **context) -> list[dict]:
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

    return plan(snapshots)


def find_sun_outages(snapshots):
    """Add the task that finds the day's sun outages at every station with a ``geo_beam``
    that serves a GEO constellation of ``snapshots``, and loads each station's day in one
    transaction (``sun_outages``). Return the task's output: the summary of
    ``sun_outages_day`` (one entry per station)."""

    @task(task_id="find_sun_outages", doc_md=SUN_DOC)
    def find(snapshots: list[dict], **context) -> dict:
        from constops.api import load_settings, sun_outages_day
        from constops_airflow.resources import reporting_engine
        from constops_airflow.runs import run_day

        day, settings, engine = run_day(context), load_settings(), reporting_engine()
        return sun_outages_day(engine, settings, day, {s["constellation_id"]: s["snapshot_id"] for s in snapshots})

    return find(snapshots)


def quality_gate(check_day, snapshots):
    """Add the task that fails the run when the day's loaded rows are impossible (ranges,
    counts, ordering, one snapshot), with ``check_day(engine, settings, group, day)`` (one
    of ``constops.quality``'s ``check_*_day``), for every constellation of ``snapshots``;
    not retried (the same rows fail the same way). Return the task's output."""

    @task(task_id="quality_gate", retries=0, doc_md=GATE_DOC)
    def gate(snapshots: list[dict], **context) -> list[dict]:
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

    return gate(snapshots)


def every_constellation(failed, done: str = "computed"):
    """Add the run's last task: it fails, naming each constellation left out and why, when
    ``failed`` (``[{"constellation_id", "error"}]`` from :func:`resolve_snapshots` or the ingest) is
    not empty, so that a run is green only when every configured constellation's day was
    ``done`` (computed, ingested). Return the task's output."""

    @task(task_id="every_constellation", retries=0, doc_md=VERDICT_DOC.format(done=done))
    def verdict(failed: list[dict]) -> int:
        from constops_airflow.runs import fail_for_groups

        fail_for_groups(done, failed)
        return 0

    return verdict(failed)
