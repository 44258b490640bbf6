"""How many antennas does Akkol need for continuous service? The contact plan with 1, 2, 4 and 8.

    python scripts/antennas_needed.py [--counts 1 2 4 8] [--json benchmarks/antennas_needed.json]

Plans Akkol's antennas (their settings as configured, only the count varied) over a UTC
day for three fleets: Qianfan's 108 of 2025-11-20 (bundled snapshot), its 238 of the
2026-08-31 corpus answer, and the 324-satellite Walker star 89:324/18/0 at 1068 km of
``make whatif`` (on 2026-12-01, its epoch). Prints, per fleet and count, the share of the
day with at least one link and with two, its upper bound (some usable satellite in view:
no number of antennas does better), the longest outage, handovers, and the solver's status,
gap and time. Writes the table as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from datetime import date, datetime, timezone
from pathlib import Path

from constops.api import Shell, load_settings, plan_elements, read_answer, walker_delta

REPO = Path(__file__).resolve().parents[1]
SNAPSHOTS = REPO / "data" / "snapshots" / "qianfan"
WALKER = Shell(324, 18, 0, 1068.0, 89.0, 180.0)
WALKER_DAY = date(2026, 12, 1)


def fleets() -> list[tuple[str, date, list]]:
    """Return (label, day, element sets) of the three fleets."""
    out = []
    for name, day in (("qianfan_2025-11-20.tle", date(2025, 11, 20)), ("qianfan_2026-08-31.tle", date(2026, 8, 31))):
        records = read_answer((SNAPSHOTS / name).read_bytes(), source=name)
        out.append((f"Qianfan {day} ({len(records.element_sets)})", day, records.element_sets))
    epoch = datetime(WALKER_DAY.year, WALKER_DAY.month, WALKER_DAY.day, tzinfo=timezone.utc)
    walker = walker_delta(WALKER.total, WALKER.planes, WALKER.phasing, WALKER.altitude_km, WALKER.inclination_deg,
                          epoch, raan_spread_deg=WALKER.raan_spread_deg)
    out.append((f"Walker {WALKER.label} ({len(walker)})", WALKER_DAY, walker))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "antennas_needed.json")
    args = parser.parse_args(argv)
    settings = load_settings()
    station = settings.station("akkol")
    rows = []
    print(f"{'fleet':44} {'antennas':>8} {'one link':>9} {'bound':>8} {'two':>8} {'outage':>8} "
          f"{'handovers':>9}  solver")
    for label, day, element_sets in fleets():
        for count in args.counts:
            spec = dataclasses.replace(station.antennas, count=count)
            t0 = time.perf_counter()
            planned = plan_elements(settings, station, spec, day, {"qianfan": element_sets})
            f, plan = planned.figures, planned.plan
            rows.append({"fleet": label, "day": day.isoformat(), "antennas": count,
                         "percent_day_one_link": f.percent_day_one_link, "percent_day_usable": f.percent_day_usable,
                         "percent_day_two_links": f.percent_day_two_links, "longest_outage_s": f.longest_outage_s,
                         "contacts": f.contacts, "handovers": f.handovers, "solver_status": plan.status,
                         "solver_gap": plan.gap, "solve_s": plan.solve_s, "total_s": time.perf_counter() - t0})
            print(f"{label:44} {count:8d} {f.percent_day_one_link:8.3f}% {f.percent_day_usable:7.3f}% "
                  f"{f.percent_day_two_links:7.3f}% {f.longest_outage_s:7d}s {f.handovers:9d}  "
                  f"{plan.status} gap {plan.gap:.4f}, {plan.solve_s:.1f} s", flush=True)
    args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
