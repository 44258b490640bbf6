"""Import the bundled week of real Qianfan snapshots and compute every day, then show the trend.

    python scripts/history.py            # days 2025-11-15 .. 2025-11-21

The seven daily CelesTrak downloads of 2025-11-14 .. 2025-11-20 (data/snapshots/qianfan)
are imported (acquired at their newest epochs), then each day runs the whole chain as
real Airflow runs (``dag.test()``, as `make pipeline` does), choosing the snapshot that
was current at the day's start. 2025-11-14 has none (its download's newest epoch is
08:00 that day), so the week starts on 2025-11-15. Prints the ``daily_trend`` view.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import airflow  # noqa: F401  (puts the plugins folder on sys.path)

from constops.api import import_file, load_settings, mask_column
from constops_airflow.resources import raw_archive, reporting_engine

from pipeline_day import load_dags, run_chain

SNAPSHOTS = Path(__file__).resolve().parents[1] / "data" / "snapshots" / "qianfan"
FIRST_DAY, DAYS = date(2025, 11, 15), 7


def main() -> int:
    engine, archive = reporting_engine(), raw_archive()
    settings = load_settings()
    constellation_id = settings.constellation_ids[0]
    for path in sorted(SNAPSHOTS.glob("qianfan_2025-*.tle")):
        snap = import_file(engine, archive, str(path), constellation_id, limits=settings.limits,
                           flag_thresholds=settings.of(constellation_id).flags)
        print(f"imported {path.name}: snapshot {snap.snapshot_id}, acquired {snap.acquired_at:%Y-%m-%d %H:%M} UTC")
    bag = load_dags()
    for day in (FIRST_DAY + timedelta(days=i) for i in range(DAYS)):
        failure = run_chain(bag, day)
        if failure:
            print(failure, file=sys.stderr)
            return 1
    print(trend_table(engine))
    return 0


def trend_table(engine) -> str:
    """Return the daily_trend view as a text table (pandas)."""
    import pandas as pd

    masks = load_settings().masks_deg
    trend = pd.read_sql("SELECT * FROM daily_trend ORDER BY day", engine)
    table = trend[["day", "snapshot_id", "satellites_in_orbit", "operational_satellites",
                   *(mask_column(mask) for mask in masks), "gateway_percent_time_visible_min"]]
    table.columns = ["day", "snapshot", "in orbit", "operational", *(f"cov>={mask:g}" for mask in masks), "gateways"]
    return table.to_string(index=False, float_format=lambda x: f"{x:.1f}%")


if __name__ == "__main__":
    sys.exit(main())
