"""How wrong a day's gateway pass schedule gets when it is computed from an older GP snapshot.

    make bench-age   (python benchmarks/snapshot_age.py) [--reference next-day|nearest] [--match-window-s 1200]

Data: the real CelesTrak GROUP=qianfan 3-line downloads in data/snapshots/qianfan, one per
UTC day from 2025-11-14 to 2025-11-20 (108 satellites each). The 2026 files are months apart
and are not compared (their gap is reported).

Method, for each target day D from 2025-11-15 to 2025-11-20:

  reference  the passes over the first configured station (Akkol, 10 deg mask) whose TCA
             lies in D, from the freshest snapshot: the one downloaded on D+1 (its epochs are
             the closest after D), or D's own when D+1's is missing (2025-11-20). With
             ``--reference nearest`` it is instead the snapshot whose median epoch is nearest
             to noon of D (a sensitivity check of the choice).
  candidate  the passes of D from every snapshot downloaded before the reference's, back to
             2025-11-14. Its age at D is (00:00 UTC of D - median element-set epoch of the
             snapshot) in days, rounded to whole days for the buckets (exact ages in the JSON).
  matching   per satellite, one-to-one, nearest TCA first, within the match window (20 min).
             Both sides are computed over D padded by the window, so that a pass whose TCA
             moves across midnight is matched rather than counted missed and extra.
             missed = reference pass of D without a match; extra = candidate pass of D
             without a match. Satellites present in only one of the two snapshots are left
             out of the comparison (counted as ``excluded_sats``).
  errors     over matched passes: |dAOS|, |dTCA| and |dLOS| in seconds, |d max elevation| in deg;
             median, 95th percentile (linear interpolation) and maximum per age bucket.
  split      on_station: the satellite's mean altitude (semi-major axis from the mean
             motion minus the WGS72 equatorial radius) is within 1068 +/- 10 km in both
             snapshots; off_station: otherwise (orbit raising, stranded or low: these
             manoeuvre, and SGP4 cannot predict a manoeuvre).

Prints one table (age bucket x class) and writes benchmarks/snapshot_age_results.json.
Each (day, snapshot) pass list is computed once; the whole run takes seconds.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from constops.constants import SECONDS_PER_DAY, WGS72_RADIUS_KM
from constops.elements import parse
from constops.freshness import median_epoch
from constops.passes import Pass, find_passes
from constops.settings import load_settings
from constops.sites import Station
from constops.snapshots import newest_plausible_epoch
from constops.timescale import day_bounds
from constops.validation import PayloadLimits

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT_DIR = ROOT / "data" / "snapshots" / "qianfan"
RESULTS = Path(__file__).with_name("snapshot_age_results.json")
#: The daily series that is compared (download dates, inclusive).
SERIES_FIRST_DAY = date(2025, 11, 14)
SERIES_LAST_DAY = date(2025, 11, 20)
#: Target days: the first download only serves as an old snapshot.
FIRST_TARGET_DAY = date(2025, 11, 15)
LAST_TARGET_DAY = date(2025, 11, 20)
#: Snapshots of other periods, listed only to report why they are not compared.
UNPAIRED_FILES = ("qianfan_2026-04-15.tle", "qianfan_2026-08-31.tle")
ON_STATION_ALT_KM = 1068.0
ON_STATION_TOLERANCE_KM = 10.0
DEFAULT_MATCH_WINDOW_S = 1200.0
STEP_S = 180.0
CLASSES = ("all", "on_station", "off_station")
#: The per-pass absolute errors a comparison collects: times in s, elevation in deg.
ERROR_KEYS = ("abs_daos_s", "abs_dtca_s", "abs_dlos_s", "abs_dmax_elevation_deg")
COUNT_KEYS = ("reference_passes", "matched", "missed", "extra")
_FILE_DAY = re.compile(r"qianfan_(\d{4}-\d{2}-\d{2})\.(?:tle|xml|json)$")


@dataclass(frozen=True)
class Snapshot:
    """One downloaded GP file: its download day, element sets, median epoch and acquisition
    time (UTC; ``acquired_at`` as ``import_file`` sets it by default: the newest plausible epoch)."""

    download_day: date
    path: Path
    element_sets: tuple
    median_epoch: datetime
    loader: str
    acquired_at: datetime

    @property
    def mean_altitude_km(self) -> dict[int, float]:
        """Return the mean altitude (km) of every satellite, by NORAD id."""
        return {e.norad_cat_id: mean_altitude_km(e) for e in self.element_sets}


def mean_altitude_km(element_set) -> float:
    """Return the mean altitude of an element set (semi-major axis minus the WGS72 radius), km."""
    return element_set.semi_major_axis_km - WGS72_RADIUS_KM


def load_snapshot(path: Path) -> Snapshot:
    """Return the snapshot in ``path``, parsed by ``constops.elements.parse``."""
    payload = path.read_bytes()
    element_sets = parse(payload, source=path.name)
    return Snapshot(
        download_day=date.fromisoformat(_FILE_DAY.search(path.name).group(1)), path=path,
        element_sets=tuple(element_sets), median_epoch=median_epoch(e.epoch for e in element_sets),
        loader="constops.elements.parse",
        acquired_at=newest_plausible_epoch(payload, path.name, PayloadLimits().max_future_epoch_h))


def load_series() -> dict[date, Snapshot]:
    """Return the daily snapshots of the compared series, by download day."""
    snapshots = {}
    day = SERIES_FIRST_DAY
    while day <= SERIES_LAST_DAY:
        path = SNAPSHOT_DIR / f"qianfan_{day.isoformat()}.tle"
        if path.exists():
            snapshots[day] = load_snapshot(path)
        day += timedelta(days=1)
    return snapshots


def snapshot_age_days(day: date, snapshot: Snapshot) -> float:
    """Return the age of ``snapshot`` at the start of ``day``: 00:00 UTC minus its median epoch, days."""
    start, _ = day_bounds(day)
    return (start - snapshot.median_epoch).total_seconds() / SECONDS_PER_DAY


def reference_snapshot(day: date, snapshots: dict[date, Snapshot], rule: str) -> tuple[Snapshot, str]:
    """Return (snapshot, note): the reference snapshot of ``day`` under ``rule``.

    ``next-day``: the file downloaded on day+1, else the day's own. ``nearest``: the file
    whose median epoch is nearest to noon of the day.
    """
    if rule == "nearest":
        noon = day_bounds(day)[0] + timedelta(hours=12)
        best = min(snapshots.values(), key=lambda s: abs((s.median_epoch - noon).total_seconds()))
        return best, "median epoch nearest to noon"
    following = day + timedelta(days=1)
    if following in snapshots:
        return snapshots[following], "downloaded on D+1"
    return snapshots[day], "D+1 missing: downloaded on D"


def day_passes(snapshot: Snapshot, station: Station, day: date, pad_s: float) -> list[Pass]:
    """Return the passes of ``snapshot``'s satellites whose TCA lies in ``day`` padded by ``pad_s``."""
    start, end = day_bounds(day)
    pad = timedelta(seconds=pad_s)
    return find_passes(snapshot.element_sets, station, start - pad, end + pad,
                       station.min_elevation_deg, step_s=STEP_S)


def match_passes(reference: list[Pass], candidate: list[Pass], window_s: float) -> list[tuple[int, int]]:
    """Return (i, j) index pairs of reference and candidate passes: per satellite, one-to-one,
    nearest TCA first, only where |dTCA| <= ``window_s``."""
    by_sat = defaultdict(lambda: ([], []))
    for i, p in enumerate(reference):
        by_sat[p.norad_cat_id][0].append(i)
    for j, p in enumerate(candidate):
        by_sat[p.norad_cat_id][1].append(j)
    pairs = []
    for ref_idx, cand_idx in by_sat.values():
        options = sorted(
            (abs((candidate[j].tca - reference[i].tca).total_seconds()), i, j)
            for i in ref_idx for j in cand_idx)
        used_ref, used_cand = set(), set()
        for dtca_s, i, j in options:
            if dtca_s > window_s:
                break
            if i not in used_ref and j not in used_cand:
                used_ref.add(i)
                used_cand.add(j)
                pairs.append((i, j))
    return pairs


def satellite_class(norad_cat_id: int, *altitudes_km: dict[int, float]) -> str:
    """Return ``on_station`` if the satellite's mean altitude is within the band in every
    snapshot given, else ``off_station``."""
    on = all(abs(alt[norad_cat_id] - ON_STATION_ALT_KM) <= ON_STATION_TOLERANCE_KM for alt in altitudes_km)
    return "on_station" if on else "off_station"


def _empty_tally() -> dict:
    """Return a zeroed tally of one comparison class."""
    return {key: 0 for key in COUNT_KEYS} | {key: [] for key in ERROR_KEYS}


def compare(day: date, reference: Snapshot, ref_passes: list[Pass], candidate: Snapshot,
            cand_passes: list[Pass], window_s: float) -> dict:
    """Return the comparison of one candidate snapshot against the reference for ``day``:
    counts and per-pass absolute errors by class (``all``, ``on_station``, ``off_station``)."""
    start, end = day_bounds(day)
    ref_ids = {e.norad_cat_id for e in reference.element_sets}
    cand_ids = {e.norad_cat_id for e in candidate.element_sets}
    common = ref_ids & cand_ids
    ref_passes = [p for p in ref_passes if p.norad_cat_id in common]
    cand_passes = [p for p in cand_passes if p.norad_cat_id in common]
    ref_alt, cand_alt = reference.mean_altitude_km, candidate.mean_altitude_km
    tallies = {name: _empty_tally() for name in CLASSES}

    def tally_of(norad_cat_id):
        return tallies["all"], tallies[satellite_class(norad_cat_id, ref_alt, cand_alt)]

    in_day = lambda p: start <= p.tca < end  # noqa: E731
    pairs = match_passes(ref_passes, cand_passes, window_s)
    matched_ref = {i for i, _ in pairs}
    matched_cand = {j for _, j in pairs}
    for i, j in pairs:
        r, c = ref_passes[i], cand_passes[j]
        if not in_day(r):
            continue  # a reference pass of the padding: belongs to the next or previous day
        for t in tally_of(r.norad_cat_id):
            t["matched"] += 1
            t["abs_daos_s"].append(abs((c.aos - r.aos).total_seconds()))
            t["abs_dtca_s"].append(abs((c.tca - r.tca).total_seconds()))
            t["abs_dlos_s"].append(abs((c.los - r.los).total_seconds()))
            t["abs_dmax_elevation_deg"].append(abs(c.max_elevation_deg - r.max_elevation_deg))
    for i, r in enumerate(ref_passes):
        if in_day(r):
            for t in tally_of(r.norad_cat_id):
                t["reference_passes"] += 1
                t["missed"] += i not in matched_ref
    for j, c in enumerate(cand_passes):
        if in_day(c) and j not in matched_cand:
            for t in tally_of(c.norad_cat_id):
                t["extra"] += 1
    return {
        "day": day.isoformat(),
        "reference_file": reference.path.name,
        "reference_offset_days": round(snapshot_age_days(day, reference), 3),
        "candidate_file": candidate.path.name,
        "age_days": round(snapshot_age_days(day, candidate), 3),
        "age_bucket_days": int(round(snapshot_age_days(day, candidate))),
        "compared_sats": len(common),
        "excluded_sats": len(ref_ids ^ cand_ids),
        "on_station_sats": sum(satellite_class(n, ref_alt, cand_alt) == "on_station" for n in common),
        "tallies": tallies,
    }


def error_stats(values: list[float]) -> dict:
    """Return the median, 95th percentile and maximum of ``values`` (None when empty)."""
    if not values:
        return {"median": None, "p95": None, "max": None}
    array = np.asarray(values)
    return {"median": float(np.median(array)), "p95": float(np.percentile(array, 95)), "max": float(array.max())}


def pooled(tallies: list[dict]) -> dict:
    """Return the tallies of several comparisons pooled: summed counts, and the error
    statistics (s, deg) over all their passes."""
    row = {key: sum(t[key] for t in tallies) for key in COUNT_KEYS}
    return row | {key: error_stats([v for t in tallies for v in t[key]]) for key in ERROR_KEYS}


def summarise(comparisons: list[dict]) -> list[dict]:
    """Return one row per (age bucket, class): summed counts and error statistics."""
    rows = []
    for bucket in sorted({c["age_bucket_days"] for c in comparisons}):
        constellation_id = [c for c in comparisons if c["age_bucket_days"] == bucket]
        for name in CLASSES:
            row = {
                "age_bucket_days": bucket, "class": name, "comparisons": len(constellation_id),
                "age_days_range": [min(c["age_days"] for c in constellation_id), max(c["age_days"] for c in constellation_id)],
                "excluded_sats": sum(c["excluded_sats"] for c in constellation_id),
            }
            rows.append(row | pooled([c["tallies"][name] for c in constellation_id]))
    return rows


def condense(comparisons: list[dict]) -> None:
    """Replace every comparison's per-pass errors by their statistics, in place (a small JSON)."""
    for c in comparisons:
        for t in c["tallies"].values():
            for key in ERROR_KEYS:
                t[key] = error_stats(t[key])


def fmt_value(value: float | None, digits: int) -> str:
    """Return ``value`` formatted with ``digits`` decimals, or '-' when None."""
    return "-" if value is None else f"{value:.{digits}f}"


def stats_cell(stats: dict, digits: int) -> str:
    """Return error statistics as one table cell: 'median/p95/max' with ``digits`` decimals."""
    return "/".join(fmt_value(stats[k], digits) for k in ("median", "p95", "max"))


def print_fixed_table(head: str, lines: Iterable[str]) -> None:
    """Print a fixed-width table: its head, a rule as wide, then its lines."""
    print(head)
    print("-" * len(head))
    for line in lines:
        print(line)


def _row_line(r: dict) -> str:
    """Return one summary row as a line of the fixed-width table (errors in s and deg)."""
    cells = [stats_cell(r[key], digits)
             for key, digits in (("abs_daos_s", 1), ("abs_dlos_s", 1), ("abs_dmax_elevation_deg", 2))]
    return (f"{r['age_bucket_days']:>5} {r['class']:<11} {r['comparisons']:>3} {r['reference_passes']:>5} "
            f"{r['matched']:>5} {r['missed']:>4} {r['extra']:>5} | {cells[0]:>22} | {cells[1]:>22} | {cells[2]:>21}")


def print_table(rows: list[dict]) -> None:
    """Print the summary rows as a fixed-width table."""
    print_fixed_table(f"{'age_d':>5} {'class':<11} {'cmp':>3} {'ref':>5} {'match':>5} {'miss':>4} {'extra':>5} "
                      f"| {'|dAOS| s med/p95/max':>22} | {'|dLOS| s med/p95/max':>22} | {'|dEl| deg med/p95/max':>21}",
                      map(_row_line, rows))


def unpaired_files() -> list[dict]:
    """Return the snapshots of other periods with the gap to the previous one (download days)."""
    out, previous = [], None
    for name in UNPAIRED_FILES:
        path = SNAPSHOT_DIR / name
        if not path.exists():
            continue
        day = date.fromisoformat(_FILE_DAY.search(name).group(1))
        gap = None if previous is None else (day - previous).days
        out.append({"file": name, "gap_to_previous_days": gap, "compared": False,
                    "reason": "no snapshot within days of it: ages of months are far beyond any setting"})
        previous = day
    return out


def run(rule: str, window_s: float) -> dict:
    """Return the full result: settings, snapshots, every comparison and the summary rows."""
    station = load_settings().stations[0]
    snapshots = load_series()
    cache: dict[tuple[date, date], list[Pass]] = {}

    def passes_of(day, snapshot):
        key = (day, snapshot.download_day)
        if key not in cache:
            cache[key] = day_passes(snapshot, station, day, window_s)
        return cache[key]

    comparisons, references = [], []
    day = FIRST_TARGET_DAY
    while day <= LAST_TARGET_DAY:
        reference, note = reference_snapshot(day, snapshots, rule)
        references.append({"day": day.isoformat(), "file": reference.path.name, "note": note,
                           "offset_days": round(snapshot_age_days(day, reference), 3)})
        for old_day in sorted(snapshots):
            if old_day >= reference.download_day:
                break
            candidate = snapshots[old_day]
            comparisons.append(compare(day, reference, passes_of(day, reference), candidate,
                                       passes_of(day, candidate), window_s))
        day += timedelta(days=1)
    summary = summarise(comparisons)
    condense(comparisons)
    return {
        **method_record(station, window_s),
        "reference_rule": rule,
        "snapshots": [{"file": s.path.name, "sats": len(s.element_sets), "loader": s.loader,
                       "median_epoch": s.median_epoch.isoformat(),
                       "on_station_sats": sum(abs(a - ON_STATION_ALT_KM) <= ON_STATION_TOLERANCE_KM
                                              for a in s.mean_altitude_km.values())}
                      for s in snapshots.values()],
        "not_compared": unpaired_files(),
        "references": references,
        "summary": summary,
        "comparisons": comparisons,
    }


def method_record(station: Station, window_s: float) -> dict:
    """Return how a run finds and matches passes as the results record it: the station
    (degrees), the match window and the sample step (s), the on-station band (km)."""
    return {
        "station": {"id": station.station_id, "lat_deg": station.lat_deg, "lon_deg": station.lon_deg,
                    "min_elevation_deg": station.min_elevation_deg},
        "match_window_s": window_s,
        "step_s": STEP_S,
        "on_station_band_km": [ON_STATION_ALT_KM - ON_STATION_TOLERANCE_KM, ON_STATION_ALT_KM + ON_STATION_TOLERANCE_KM],
    }


def write_results(result: dict, elapsed_s: float, output: Path) -> None:
    """Add the run time (s) and the environment to ``result`` and write it as JSON to ``output``."""
    result["run_time_s"] = round(elapsed_s, 2)
    result["environment"] = {"python": platform.python_version(), "machine": platform.machine(),
                             "generated_utc": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    output.write_text(json.dumps(result, indent=1) + "\n")


def main() -> None:
    """Run the benchmark, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", choices=("next-day", "nearest"), default="next-day")
    parser.add_argument("--match-window-s", type=float, default=DEFAULT_MATCH_WINDOW_S)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    t0 = time.perf_counter()
    result = run(args.reference, args.match_window_s)
    elapsed_s = time.perf_counter() - t0
    print(f"Snapshot age vs pass schedule: station {result['station']['id']} "
          f"(mask {result['station']['min_elevation_deg']:g} deg), reference rule {args.reference}, "
          f"match window {args.match_window_s:g} s")
    for ref in result["references"]:
        print(f"  D={ref['day']}: reference {ref['file']} ({ref['note']}; offset {ref['offset_days']:+.2f} d)")
    for item in result["not_compared"]:
        if item["gap_to_previous_days"] is not None:
            print(f"  not compared: {item['file']}, {item['gap_to_previous_days']} days after the previous 2026 file")
    excluded = sum(c["excluded_sats"] for c in result["comparisons"])
    print(f"  satellites excluded (in one snapshot only), summed over comparisons: {excluded}")
    print("  age_d = round(00:00 of D - median epoch); cmp = (day, snapshot) comparisons; "
          "on_station = 1068+/-10 km in both snapshots")
    print()
    print_table(result["summary"])
    write_results(result, elapsed_s, args.output)
    print(f"\nrun time {elapsed_s:.1f} s; wrote {args.output}")


if __name__ == "__main__":
    main()
