"""Tasks every per-day DAG begins and ends with: the run's snapshot, and the quality gate."""

from __future__ import annotations

from airflow.sdk import task

#: Task docs as literals: docstrings are gone under ``python -OO``.
RESOLVE_DOC = ("Read once which snapshot each group's day is computed from; every later task of the run "
               "uses that one, so a tle_ingest rerun meanwhile cannot mix two snapshots in a day.")
GATE_DOC = "Fail the run when the day's loaded rows are impossible (ranges, counts, ordering, one snapshot)."


def resolve_snapshots():
    """Add the task that reads once which snapshot each group's day is computed from; every
    later task of the run uses that one, so a tle_ingest rerun meanwhile cannot mix two
    snapshots in a day. Return its output: ``[{"group", "day", "snapshot_id"}]``."""

    @task(task_id="resolve_snapshots", doc_md=RESOLVE_DOC)
    def resolve(**context) -> list[dict]:
        from constops.day.snapshot import resolve_day_snapshot
        from constops_airflow.runs import for_each_group

        return for_each_group(context, resolve_day_snapshot)

    return resolve()


def quality_gate(check: str):
    """Add the task that fails the run when the day's loaded rows are impossible (ranges,
    counts, ordering, one snapshot), with ``constops.quality.<check>``; not retried (the same
    rows fail the same way). Return the task's output."""

    @task(task_id="quality_gate", retries=0, doc_md=GATE_DOC)
    def gate(**context) -> list[dict]:
        from constops import quality
        from constops_airflow.runs import for_each_group

        return for_each_group(context, getattr(quality, check))

    return gate()
