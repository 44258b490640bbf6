"""Speed and memory of the orbital engine at constellation scale, against a floor and Skyfield.

    python benchmarks/bench_engine.py [--sizes 108,324,1296,15000] [--cell-size-deg 0.25]

Reference workload: a synthetic Walker shell of Qianfan's phase-1 shape (1,296 satellites,
36 planes of 36, 1068 km, 89 deg), one day at a 30 s step, Kazakhstan at 0.25 deg cells,
masks 10/25/40 deg, passes over Akkol at 10 deg. Measured in the same run, each at equal
parallelism, on one core and on all cores (the satellites split into one block per core,
each block in its own process, as the pipeline's shards do; the pools are started before
the clock):

  floor_s     bare SatrecArray.sgp4 of every satellite at every sample (no frame change,
              no geometry): what propagating every sample costs
  engine_s    the engine's coverage at all masks with every figure of merit (gaps, satellites
              in view, area weighting, the per-step series) plus the passes
  passes_s    the engine's passes alone, its own propagation included (one core)
  skyfield_s  Skyfield's find_events for the same satellites, station, day and mask (one core)

Prints ratios (engine/floor on one core and on all cores, skyfield/passes) and the growth
with the number of satellites; writes benchmarks/results.json. Peak RSS is read from the
OS per size, each size in a fresh process so that one size's peak does not hide another's.
Times are the best of 3 rounds up to 1,296 satellites (one at 15,000); each round runs
every measurement once, so that the machine's slow spells fall on all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

START = datetime(2026, 12, 1, tzinfo=timezone.utc)
SHAPES = {108: (6, 18), 324: (18, 18), 1296: (36, 36), 15000: (100, 150)}
RESULTS = Path(__file__).with_name("results.json")


class Workload:
    """One size's satellites, grid, station and times, rebuilt identically in every process."""

    def __init__(self, n_sats: int, cell_size_deg: float, step_s: float):
        from constops.coverage import CellGrid
        from constops.settings import load_settings
        from constops.timescale import TimeGrid
        from constops.walker import walker_delta

        planes, per_plane = SHAPES[n_sats]
        # Catalog numbers below 339999, which Skyfield's from_omm (Alpha-5) can take.
        self.sats = walker_delta(planes * per_plane, planes, 1, 1068.0, 89.0, START, first_norad_cat_id=100_000)
        self.settings = load_settings()
        self.grid = CellGrid.for_region(self.settings.region, cell_size_deg)
        self.station = self.settings.station("akkol")
        self.times = TimeGrid.covering(START, START + timedelta(days=1), step_s)
        self.step_s = step_s

    def floor(self, first: int = 0, stop: int | None = None) -> None:
        """Propagate satellites [first, stop) at every sample, 1,024 at a time (the engine's chunks)."""
        from constops.propagation import satrec_array

        jd, fraction = self.times.julian()
        block = self.sats[first:stop]
        for lo in range(0, len(block), 1024):
            satrec_array(block[lo:lo + 1024]).sgp4(jd, fraction)

    def counts(self, first: int = 0, stop: int | None = None):
        """Return the satellites-in-view counts of satellites [first, stop) on one thread."""
        from constops.coverage import count_in_view

        counts, _ = count_in_view(self.sats[first:stop], self.grid, self.settings.masks_deg, self.times, threads=1)
        return counts["all", "direct"]

    def passes(self, first: int = 0, stop: int | None = None):
        from constops.passes import find_passes

        return find_passes(self.sats[first:stop], self.station, START, START + timedelta(days=1), 10.0)

    def figures(self, by_mask) -> None:
        """Compute the figures of merit of every mask, as the DAG loads them."""
        from constops.coverage import cell_figures, percent_area_covered_series, region_figures

        for mask_counts in by_mask.values():
            region_figures(cell_figures(mask_counts, self.step_s), self.grid.area_km2)
            percent_area_covered_series(mask_counts, self.grid.area_km2)


_WORKLOAD: Workload | None = None


def _init(n_sats: int, cell_size_deg: float, step_s: float) -> None:
    global _WORKLOAD
    _WORKLOAD = Workload(n_sats, cell_size_deg, step_s)


def _in_worker(method: str, first: int, stop: int):
    return getattr(_WORKLOAD, method)(first, stop)


def measure(n_sats: int, cell_size_deg: float, step_s: float, skyfield: bool) -> dict:
    """Return the timings (s) and peak memory (MB) of one constellation size."""
    from constops.day.shard_plan import plan_blocks
    from constops.partial_results import add_counts

    work = Workload(n_sats, cell_size_deg, step_s)
    n = len(work.sats)
    cores = os.cpu_count() or 1
    blocks = plan_blocks(n, -(-n // cores))
    repeats = 3 if n <= 1296 else 1  # best of a few: this machine's timings vary by ~25%

    def engine_one_core():
        work.figures(work.counts())
        work.passes()

    with ProcessPoolExecutor(max_workers=len(blocks), initializer=_init,
                             initargs=(n_sats, cell_size_deg, step_s)) as pool:
        list(pool.map(_in_worker, ["floor"] * len(blocks), [0] * len(blocks), [1] * len(blocks)))  # warm

        def spread(method):
            return list(pool.map(_in_worker, [method] * len(blocks), *zip(*blocks)))

        def floor_all_cores():
            spread("floor")

        def engine_all_cores():
            counts = spread("counts")
            spread("passes")
            total, _ = add_counts(({("all", "direct"): c}, {}) for c in counts)
            work.figures(total["all", "direct"])

        result = {
            "n_sats": n, "n_cells": len(work.grid), "n_steps": work.times.count, "cell_size_deg": cell_size_deg,
            "step_s": step_s, "cores": len(blocks),
            **_best({"floor_s": work.floor, "engine_s": engine_one_core, "passes_s": work.passes,
                     "floor_all_cores_s": floor_all_cores, "engine_all_cores_s": engine_all_cores}, repeats),
        }
    passes = work.passes()
    result["n_passes"] = len(passes)
    if skyfield:
        result.update(_skyfield(work.sats, work.station, passes))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _best(functions: dict, repeats: int) -> dict[str, float]:
    """Return the shortest wall time (s) of each of ``functions`` over ``repeats`` rounds,
    each round calling every function once in turn: a slow spell of a shared machine then
    slows a floor and its engine alike instead of one of them."""
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            t0 = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - t0)
    return {name: min(values) for name, values in times.items()}


def _skyfield(sats, station, passes) -> dict:
    """Return Skyfield's find_events time for the same passes and whether the counts agree."""
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    site = wgs84.latlon(station.lat_deg, station.lon_deg, elevation_m=station.alt_m)
    satellites = [EarthSatellite.from_omm(ts, {k: str(v) for k, v in s.omm_fields().items()}) for s in sats]
    t0 = time.perf_counter()
    culminations = 0
    for sat in satellites:
        t, events = sat.find_events(site, ts.from_datetime(START), ts.from_datetime(START + timedelta(days=1)), 10.0)
        culminations += int((events == 1).sum())
    return {"skyfield_s": time.perf_counter() - t0, "skyfield_culminations": culminations}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="108,324,1296,15000")
    parser.add_argument("--cell-size-deg", type=float, default=0.25)
    parser.add_argument("--step-s", type=float, default=30.0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.cell_size_deg, args.step_s, skyfield=args.one <= 1296)))
        return 0
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--cell-size-deg", str(args.cell_size_deg),
             "--step-s", str(args.step_s)], capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        line = (f"{r['n_sats']:6d} sats x {r['n_steps']} steps x {r['n_cells']} cells: one core: floor {r['floor_s']:6.2f} s, "
                f"engine {r['engine_s']:6.2f} s ({r['engine_s'] / r['floor_s']:.2f} x floor); {r['cores']} cores: floor "
                f"{r['floor_all_cores_s']:6.2f} s, engine {r['engine_all_cores_s']:6.2f} s "
                f"({r['engine_all_cores_s'] / r['floor_all_cores_s']:.2f} x floor); passes {r['passes_s']:5.2f} s")
        if "skyfield_s" in r:
            line += f", Skyfield {r['skyfield_s']:5.2f} s ({r['skyfield_s'] / r['passes_s']:.1f} x passes)"
        print(line + f", peak RSS {r['peak_rss_mb']:.0f} MB", flush=True)
    reference = next((r for r in rows if r["n_sats"] == 1296), rows[-1])
    summary = {**reference, "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
               "scaling": rows}
    RESULTS.write_text(json.dumps(summary, indent=1))
    print(f"reference ({reference['n_sats']} satellites): engine/floor = {reference['engine_s'] / reference['floor_s']:.2f}"
          f" on one core, {reference['engine_all_cores_s'] / reference['floor_all_cores_s']:.2f} on {reference['cores']}"
          + (f", skyfield/passes = {reference['skyfield_s'] / reference['passes_s']:.1f}" if "skyfield_s" in reference else "")
          + f"; written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
