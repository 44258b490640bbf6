"""The contact plan of every real answer the repo holds: how good, how fast, against a baseline.

    python benchmarks/contact_plans.py [--station akkol] [--walker 15000] [--json benchmarks/contact_plans_results.json]

Plans the station's antennas (as configured: Akkol's 4) over the day each Qianfan answer of
``data/snapshots/qianfan`` is named for: the bundled week 2025-11-14 .. 20 and the 2026
answers (04-15, 05-30, 08-31; TLE files, the XML twins hold the same element sets). For
each day it prints the share of the day with one link against its upper bound, with two,
the longest outage, contacts and handovers, the keep-out losses, the solver's status and
gap, and the time of each stage, measured in the same run:

  passes_s   finding the day's passes over the station (the pipeline's own pass search),
             the baseline of the ratios
  usable_s   sampling every pass once a second into usable intervals and keep-outs
  solve_s    CP-SAT over the day's windows (one thread, deterministic time limit)

Prints usable_s and solve_s as ratios to passes_s; writes the table as JSON. ``--walker N``
plans instead a synthetic day of N satellites (the Walker shells of ``make bench``, 1068
km, 89 deg; 15,000 as 100 planes of 150) on 2026-12-01: how the planner scales.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date, timedelta
from pathlib import Path

from constops.api import (
    ContactRules,
    continuity,
    day_bounds,
    find_passes,
    load_settings,
    plan_contacts,
    read_answer,
    usable_intervals,
    walker_delta,
)

REPO = Path(__file__).resolve().parents[1]
ANSWERS = sorted((REPO / "data" / "snapshots" / "qianfan").glob("qianfan_*.tle"))


WALKER_SHAPES = {108: (6, 18), 324: (18, 18), 1296: (36, 36), 15000: (100, 150)}


def plan_answer(path: Path, settings, station) -> dict:
    """Return the figures and stage times of the plan of the day ``path`` is named for."""
    day = date.fromisoformat(path.stem.split("_")[1])
    records = read_answer(path.read_bytes(), source=path.name)
    return plan_day(path.name, day, records.element_sets, settings, station)


def plan_walker(total: int, settings, station) -> dict:
    """Return the figures and stage times of the plan of a Walker shell of ``total`` on 2026-12-01."""
    planes, per_plane = WALKER_SHAPES[total]
    day = date(2026, 12, 1)
    start, _ = day_bounds(day)
    shell = walker_delta(total, planes, 1, 1068.0, 89.0, start, first_norad_cat_id=100_000)
    return plan_day(f"walker {planes}x{per_plane}", day, shell, settings, station)


def plan_day(label: str, day: date, element_sets, settings, station) -> dict:
    """Return the figures and stage times of the station's plan of ``day`` for ``element_sets``."""
    spec, rules = station.antennas, ContactRules.from_settings(settings)
    start, end = day_bounds(day)
    t0 = time.perf_counter()
    passes = find_passes(element_sets, station, start - timedelta(hours=1), end + timedelta(hours=1),
                         station.min_elevation_deg, settings.of("qianfan").pass_step_s)
    t1 = time.perf_counter()
    usable, keep_outs = usable_intervals({"qianfan": passes}, {"qianfan": element_sets}, station, spec,
                                         start, rules.min_contact_s)
    t2 = time.perf_counter()
    plan = plan_contacts(usable, spec, rules)
    t3 = time.perf_counter()
    f = continuity(plan, usable, keep_outs, rules.handover_overlap_s)
    return {"answer": label, "day": day.isoformat(), "satellites": len(element_sets),
            "passes": len(passes), "usable_intervals": len(usable), "contacts": f.contacts, "handovers": f.handovers,
            "percent_day_one_link": f.percent_day_one_link, "percent_day_usable": f.percent_day_usable,
            "percent_day_two_links": f.percent_day_two_links, "longest_outage_s": f.longest_outage_s,
            **{f"keep_out_{c}_s": s for c, s in f.keep_out_s.items()},
            "solver_status": plan.status, "solver_gap": plan.gap, "windows": plan.windows,
            "passes_s": t1 - t0, "usable_s": t2 - t1, "solve_s": t3 - t2}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--station", default="akkol")
    parser.add_argument("--walker", type=int, choices=sorted(WALKER_SHAPES), help="a synthetic shell instead")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    name = f"contact_plans_walker{args.walker}.json" if args.walker else "contact_plans_results.json"
    args.json = args.json or REPO / "benchmarks" / name
    settings = load_settings()
    station = settings.station(args.station)
    print(f"{'day':10} {'sats':>4} {'usable':>6} {'contacts':>8} {'handovers':>9} {'one link':>9} {'bound':>8} "
          f"{'two':>8} {'outage':>7} {'gso s':>6} {'sun s':>5}  solver            {'passes':>7} "
          f"{'usable/passes':>13} {'solve/passes':>12}")
    rows = []
    plans = [lambda: plan_walker(args.walker, settings, station)] if args.walker else \
        [lambda p=p: plan_answer(p, settings, station) for p in ANSWERS]
    for plan in plans:
        r = plan()
        rows.append(r)
        print(f"{r['day']:10} {r['satellites']:4d} {r['usable_intervals']:6d} {r['contacts']:8d} {r['handovers']:9d} "
              f"{r['percent_day_one_link']:8.3f}% {r['percent_day_usable']:7.3f}% {r['percent_day_two_links']:7.3f}% "
              f"{r['longest_outage_s']:6d}s {r['keep_out_gso_arc_s']:6d} {r['keep_out_sun_s']:5d}  "
              f"{r['solver_status']:8} gap {r['solver_gap']:.4f} {r['passes_s']:6.2f}s "
              f"{r['usable_s'] / r['passes_s']:13.1f} {r['solve_s'] / r['passes_s']:12.1f}", flush=True)
    args.json.write_text(json.dumps(rows, indent=1))
    solve = [r["solve_s"] for r in rows]
    print(f"\n{len(rows)} days; solve {min(solve):.1f}..{max(solve):.1f} s a day; "
          f"continuity within {max(r['percent_day_usable'] - r['percent_day_one_link'] for r in rows):.3f} "
          "points of its upper bound at worst")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
