"""Replay archived CelesTrak answers as if each had just been fetched, and show how the plan evolved.

    python scripts/replay.py data/snapshots/qianfan/qianfan_2025-11-14.tle data/snapshots/qianfan/qianfan_2025-11-15.tle

The answers are taken in the order of their acquisition (the newest element-set epoch of
each, the earliest it can have been downloaded). For each, the clock of the run is set to
that moment and a real HTTP server on 127.0.0.1 serves the answer as CelesTrak's GP API
(the ``celestrak`` connection points at it), then ``tle_refresh`` runs (``dag.test()``,
parameter ``replay``) exactly as the live refresh would: CelesTrak's interval kept, an
unchanged answer no event, a changed one revising every day of the horizon it is newest
for. ``gateway_passes`` and ``coverage`` then recompute each revised day, as the scheduler
does for the partitions the refresh publishes. Prints what each answer did and, per day,
its revisions with their lead time and what each changed. ``make import`` and backfills
keep their meaning: a replayed answer never revises a day already computed from a newer
snapshot.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

import airflow  # noqa: F401  (puts the plugins folder on sys.path)

from constops.api import load_settings, newest_plausible_epoch
from constops_airflow.resources import reporting_engine

from celestrak_stand_in import CelestrakStandIn
from pipeline_day import DOWNSTREAM, load_dags, run_dag


def answers_in_order(paths: list[str]) -> list[tuple[datetime, Path]]:
    """Return (acquisition time, path) of each file, oldest acquisition first."""
    max_future_h = load_settings().limits.max_future_epoch_h
    timed = [(newest_plausible_epoch(Path(p).read_bytes(), p, max_future_h), Path(p)) for p in paths]
    return sorted(timed)


def replay(bag, stand_in: CelestrakStandIn, acquired_at: datetime, path: Path) -> list[str]:
    """Feed one answer through ``tle_refresh`` at its acquisition time, recompute the days it
    revised; return the lines that say what happened (failures prefixed ``FAILED``)."""
    os.environ["CONSTOPS_CLOCK_UTC"] = acquired_at.isoformat()
    stand_in.answer(200, path.read_bytes())
    run = bag.get_dag("tle_refresh").test(logical_date=acquired_at, run_conf={"replay": True})
    ti = next(t for t in run.get_task_instances() if t.task_id == "refresh")
    out = ti.xcom_pull(task_ids="refresh", key="return_value") or {}
    lines = [f"{acquired_at:%Y-%m-%d %H:%M} UTC {path.name}: "
             + "; ".join(f"{s['constellation_id']} {s['outcome']}, {s['changed_satellites']} element sets changed"
                         for s in out.get("summaries", []))
             + (f"; revises {', '.join(out['days'])}" if out.get("days") else "; revises nothing")]
    if run.state != "success":
        lines.append(f"FAILED tle_refresh at {acquired_at:%Y-%m-%d %H:%M}: {out.get('failed') or run.state}")
    for day in out.get("days", []):
        for dag_id in DOWNSTREAM:
            state = run_dag(bag, dag_id, datetime.fromisoformat(day).date()).state
            if state != "success":
                lines.append(f"FAILED {dag_id} for {day}: {state}")
    return lines


def revisions_table(engine) -> str:
    """Return day_revisions with their changes as a text table (pandas)."""
    import pandas as pd

    table = pd.read_sql(
        "SELECT r.day, r.revision, r.group_name, r.snapshot_id, r.acquired_at, r.lead_h, r.cause, "
        "(SELECT count(*) FROM revision_changes c WHERE c.day = r.day AND c.revision = r.revision "
        " AND c.kind LIKE 'pass_%') AS pass_changes, "
        "(SELECT count(*) FROM revision_changes c WHERE c.day = r.day AND c.revision = r.revision "
        " AND c.kind LIKE 'contact_%') AS contact_changes "
        "FROM day_revisions r ORDER BY r.day, r.revision", engine)
    table["acquired_at"] = pd.to_datetime(table["acquired_at"], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    return table.to_string(index=False, float_format=lambda x: f"{x:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="archived answers (TLE, OMM JSON, CSV or XML)")
    args = parser.parse_args(argv)
    stand_in = CelestrakStandIn()
    os.environ["AIRFLOW_CONN_CELESTRAK"] = stand_in.connection(timeout_s=10)
    bag, failed = load_dags(), []
    try:
        for acquired_at, path in answers_in_order(args.files):
            for line in replay(bag, stand_in, acquired_at, path):
                print(line)
                failed += [line] if line.startswith("FAILED") else []
    finally:
        stand_in.close()
    print(revisions_table(reporting_engine()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
