"""Write one day's charts and tables as a single self-contained HTML file (Plotly inline):
for people without Airflow access.

    python scripts/report.py 2025-11-20 [--out FILE] [--group qianfan]

Reads the reporting database of this installation (the ``reporting_db`` connection, else
``$AIRFLOW_HOME/reporting.db``) and writes ``$AIRFLOW_HOME/reports/constellation-report-
<group>-<day>.html`` unless ``--out`` names a file (never into the repository). The page
names imported snapshot files by their names only, not by their paths on this machine.
Exits 1, writing nothing, when the day was never computed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import airflow  # noqa: F401  (puts the plugins folder on sys.path)

from constops.api import load_settings, parse_day
from constops.dashboard.day_view import day_view
from constops.dashboard.pages import day_page, plotly_inline, report_filename
from constops_airflow.resources import airflow_home, reporting_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("day", type=parse_day, help="UTC day, YYYY-MM-DD")
    parser.add_argument("--out", type=Path, help="file to write (default: $AIRFLOW_HOME/reports/constellation-report-<group>-<day>.html)")
    parser.add_argument("--group", dest="constellation_id", help="constellation id (default: the first configured one)")
    args = parser.parse_args(argv)
    settings = load_settings()
    view = day_view(reporting_engine(), settings, args.day, args.constellation_id)
    if not view.computed:
        print(f"{args.day}: {view.constellation_id} was never computed here: run `make pipeline DAY={args.day}` first",
              file=sys.stderr)
        return 1
    out = args.out or airflow_home() / "reports" / report_filename(view.day, view.constellation_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(day_page(view, settings, plotly_inline(), title_suffix=" (report)"), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): {view.day} {view.constellation_id}, {len(view.cells)} cell rows, "
          f"{len(view.passes)} passes, {len(view.fleet)} satellites")
    return 0


if __name__ == "__main__":
    sys.exit(main())
