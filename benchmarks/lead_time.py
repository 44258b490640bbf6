"""How far ahead a day's gateway pass plan is good enough: plans made 0.5, 1 and 2 days ahead
against the day's final revision, on the real CelesTrak Qianfan answers the repository holds.

    make bench-lead   (python benchmarks/lead_time.py) [--match-window-s 1200]

The pipeline plans, from each snapshot, the days from "today" (the UTC day the snapshot was
acquired in) up to ``[pipeline] horizon_days`` ahead (default 2), and later snapshots revise
those days. This measures what a plan made ahead is worth.

Answers: the eight distinct real ``GROUP=qianfan`` answers of 2025-11-14 .. 20 in
data/snapshots/qianfan (``ANSWER_FILES``), one format per answer: the seven daily 3-line
files and the 2025-11-20 OMM XML, a later download of that day than the .tle (not one epoch
in common; its newest epoch is 2025-11-20 18:11). The .json of 2025-11-20 is that XML
rewritten and is not used. The 2026 answers are months apart and give no lead of days.
Each answer's ``acquired_at`` is what ``import_file`` records by default: its newest
plausible element-set epoch (data/SOURCES.md: each was downloaded after its newest epoch).

Definitions (days are UTC days, [00:00, 24:00)):

  final revision  of day D: planned from the newest answer acquired before D's end
                  (00:00 of D+1). D is compared only when its final revision was acquired
                  no earlier than ``FINAL_MAX_LEAD_D`` (0.25 d) before D's start, so that the
                  reference is itself a short-lead plan: days 2025-11-14 .. 21.
  plan with lead L  of D: planned from an answer acquired L days before D's start,
                  L = (00:00 of D - acquired_at) / 86400 s; a negative lead is an answer
                  acquired during D. Every answer acquired before D's final revision is a plan.
  buckets         by lead (``LEAD_BUCKETS_D``): short (L < 0.25 d: acquired during D or in
                  the last hours before it), 0.5 (0.25 <= L < 0.75), 1 (0.75 <= L < 1.5),
                  2 (1.5 <= L < 2.5) and 3 (2.5 <= L < 3.5, beyond the default horizon);
                  plans of longer lead are left out. ``days_ahead`` (D - the UTC day of
                  acquisition) is recorded too: horizon_days counts those.
  passes          over the first configured station (Akkol, 10 deg mask) with the
                  library's ``find_passes``, TCA in D; matched, counted (missed, extra) and
                  split on station / off station (manoeuvring) by bench-age's ``compare``
                  (benchmarks/snapshot_age.py): per satellite, one-to-one, nearest TCA
                  within the match window (20 min); on_station = mean altitude within
                  1068 +/- 10 km in both answers, off_station = otherwise.
  figures         per bucket and class: |dAOS|, |dTCA|, |dLOS| in s (median, 95th percentile,
                  max) over matched passes; missed and extra as shares (%) of the final
                  revision's passes; satellites (summed over the pairs) and passes.

Prints the pairs and the table and writes benchmarks/lead_time_results.json. Seconds.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from constops.constants import SECONDS_PER_DAY
from constops.passes import Pass
from constops.settings import load_settings
from constops.timescale import day_bounds

import snapshot_age as bench_age

RESULTS = Path(__file__).with_name("lead_time_results.json")
#: One file per distinct real answer (see the module's docstring for the XML and the JSON).
ANSWER_FILES = tuple(f"qianfan_2025-11-{day}.tle" for day in range(14, 21)) + ("qianfan_2025-11-20.xml",)
#: (name, lowest lead, lead it stays under), days.
LEAD_BUCKETS_D = (("short", -1.0, 0.25), ("0.5", 0.25, 0.75), ("1", 0.75, 1.5), ("2", 1.5, 2.5), ("3", 2.5, 3.5))
FINAL_MAX_LEAD_D = 0.25
HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class PlanPair:
    """A plan of ``day`` from ``plan`` and the day's final revision from ``final``; lead in days."""

    day: date
    plan: bench_age.Snapshot
    final: bench_age.Snapshot
    lead_d: float
    bucket: str


def load_answers() -> list[bench_age.Snapshot]:
    """Return the answers of ``ANSWER_FILES``, oldest acquisition first."""
    return sorted((bench_age.load_snapshot(bench_age.SNAPSHOT_DIR / name) for name in ANSWER_FILES), key=lambda s: s.acquired_at)


def lead_days(day: date, answer: bench_age.Snapshot) -> float:
    """Return the lead of ``answer``'s plan of ``day``: 00:00 UTC of the day minus its acquisition, days."""
    return (day_bounds(day)[0] - answer.acquired_at).total_seconds() / SECONDS_PER_DAY


def lead_bucket(lead_d: float) -> str | None:
    """Return the name of the bucket of a lead (days), or None beyond the last."""
    return next((name for name, low_d, high_d in LEAD_BUCKETS_D if low_d <= lead_d < high_d), None)


def days_ahead(day: date, answer: bench_age.Snapshot) -> int:
    """Return how many days after the UTC day of ``answer``'s acquisition ``day`` lies."""
    return (day - answer.acquired_at.date()).days


def final_revision(day: date, answers: list[bench_age.Snapshot]) -> bench_age.Snapshot | None:
    """Return the newest of ``answers`` acquired before the end of ``day``, or None."""
    _, end = day_bounds(day)
    return max((a for a in answers if a.acquired_at < end), key=lambda a: a.acquired_at, default=None)


def plan_pairs(answers: list[bench_age.Snapshot]) -> list[PlanPair]:
    """Return every (plan, final revision) pair of a compared day whose lead falls in a bucket."""
    pairs = []
    day, last_day = answers[0].acquired_at.date(), answers[-1].acquired_at.date() + timedelta(days=1)
    while day <= last_day:
        final = final_revision(day, answers)
        if final is not None and lead_days(day, final) <= FINAL_MAX_LEAD_D:
            for plan in (a for a in answers if a.acquired_at < final.acquired_at):
                lead_d = lead_days(day, plan)
                if lead_bucket(lead_d) is not None:
                    pairs.append(PlanPair(day, plan, final, lead_d, lead_bucket(lead_d)))
        day += timedelta(days=1)
    return pairs


def pair_record(pair: PlanPair) -> dict:
    """Return the lead fields of a pair as the results record them (hours, days)."""
    return {"lead_h": round(pair.lead_d * HOURS_PER_DAY, 2), "lead_bucket": pair.bucket,
            "days_ahead": days_ahead(pair.day, pair.plan), "plan_acquired_at": pair.plan.acquired_at.isoformat(),
            "final_lead_h": round(lead_days(pair.day, pair.final) * HOURS_PER_DAY, 2)}


def compare_pairs(pairs: list[PlanPair], station, window_s: float) -> list[dict]:
    """Return bench-age's comparison of every pair (final revision as reference) with its lead fields."""
    cache: dict[tuple[date, str], list[Pass]] = {}

    def passes_of(day: date, answer: bench_age.Snapshot) -> list[Pass]:
        key = (day, answer.path.name)
        if key not in cache:
            cache[key] = bench_age.day_passes(answer, station, day, window_s)
        return cache[key]

    return [bench_age.compare(p.day, p.final, passes_of(p.day, p.final), p.plan, passes_of(p.day, p.plan), window_s)
            | pair_record(p) for p in pairs]


def class_sats(comparison: dict, name: str) -> int:
    """Return how many satellites of class ``name`` a comparison compared."""
    on = comparison["on_station_sats"]
    return {"all": comparison["compared_sats"], "on_station": on, "off_station": comparison["compared_sats"] - on}[name]


def share_percent(count: int, total: int) -> float | None:
    """Return ``count`` as a percentage of ``total`` (None when there is none)."""
    return round(100.0 * count / total, 2) if total else None


def summarise_leads(comparisons: list[dict]) -> list[dict]:
    """Return one row per (lead bucket, class): pairs, leads (h), satellites, pooled counts,
    missed and extra shares (%) and the error statistics (s)."""
    rows = []
    for bucket, _, _ in LEAD_BUCKETS_D:
        group = [c for c in comparisons if c["lead_bucket"] == bucket]
        for name in bench_age.CLASSES:
            row = {"lead_bucket": bucket, "class": name, "pairs": len(group),
                   "lead_h": sorted(c["lead_h"] for c in group),
                   "sats": sum(class_sats(c, name) for c in group)} | bench_age.pooled([c["tallies"][name] for c in group])
            row["missed_percent"] = share_percent(row["missed"], row["reference_passes"])
            row["extra_percent"] = share_percent(row["extra"], row["reference_passes"])
            rows.append(row)
    return rows


def print_pairs(comparisons: list[dict]) -> None:
    """Print the compared pairs by bucket: day, plan's answer and lead (h), final revision's answer."""
    for bucket, low_d, high_d in LEAD_BUCKETS_D:
        print(f"  lead {bucket} ({low_d:g} <= L < {high_d:g} d):")
        for c in (c for c in comparisons if c["lead_bucket"] == bucket):
            print(f"    D={c['day']}  plan {c['candidate_file']:<23} lead {c['lead_h']:+6.1f} h "
                  f"(day +{c['days_ahead']})  final {c['reference_file']} ({c['final_lead_h']:+.1f} h)")


def _row_line(r: dict) -> str:
    """Return one summary row as a line of the table (shares in %, errors in s)."""
    shares = [bench_age.fmt_value(r[k], 1) for k in ("missed_percent", "extra_percent")]
    cells = [bench_age.stats_cell(r[key], 1) for key in ("abs_daos_s", "abs_dtca_s", "abs_dlos_s")]
    return (f"{r['lead_bucket']:<6} {r['class']:<11} {r['pairs']:>5} {r['sats']:>5} {r['reference_passes']:>6} "
            f"{shares[0]:>6} {shares[1]:>6} | {cells[0]:>22} | {cells[1]:>22} | {cells[2]:>22}")


def print_table(rows: list[dict]) -> None:
    """Print the summary rows as a fixed-width table (shares in %, errors in s)."""
    bench_age.print_fixed_table(
        f"{'lead_d':<6} {'class':<11} {'pairs':>5} {'sats':>5} {'passes':>6} {'miss%':>6} {'extra%':>6} "
        f"| {'|dAOS| s med/p95/max':>22} | {'|dTCA| s med/p95/max':>22} | {'|dLOS| s med/p95/max':>22}",
        map(_row_line, rows))


def run(window_s: float) -> dict:
    """Return the full result: settings, answers, every compared pair and the summary rows."""
    station = load_settings().stations[0]
    answers = load_answers()
    comparisons = compare_pairs(plan_pairs(answers), station, window_s)
    summary = summarise_leads(comparisons)
    bench_age.condense(comparisons)
    return {
        **bench_age.method_record(station, window_s),
        "lead_buckets_d": [list(b) for b in LEAD_BUCKETS_D],
        "final_max_lead_d": FINAL_MAX_LEAD_D,
        "answers": [{"file": a.path.name, "sats": len(a.element_sets), "acquired_at": a.acquired_at.isoformat(),
                     "median_epoch": a.median_epoch.isoformat()} for a in answers],
        "summary": summary,
        "comparisons": comparisons,
    }


def main() -> None:
    """Run the benchmark, print the pairs and the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--match-window-s", type=float, default=bench_age.DEFAULT_MATCH_WINDOW_S)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    t0 = time.perf_counter()
    result = run(args.match_window_s)
    elapsed_s = time.perf_counter() - t0
    print(f"Plan lead time vs final revision: station {result['station']['id']} "
          f"(mask {result['station']['min_elevation_deg']:g} deg), match window {args.match_window_s:g} s")
    for a in result["answers"]:
        print(f"  answer {a['file']:<23} acquired {datetime.fromisoformat(a['acquired_at']):%Y-%m-%d %H:%M:%S} UTC")
    print_pairs(result["comparisons"])
    print("  L = 00:00 of D - acquired_at; final revision = newest answer acquired before D ends; "
          "on_station = 1068+/-10 km in both answers; sats summed over the pairs")
    print()
    print_table(result["summary"])
    bench_age.write_results(result, elapsed_s, args.output)
    print(f"\nrun time {elapsed_s:.1f} s; wrote {args.output}")


if __name__ == "__main__":
    main()
