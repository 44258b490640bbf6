"""Profile of a large day: where each task's time goes, in the task's own library call.

    python benchmarks/profile_day.py [--satellites 15000] [--slots 2] [--top 8]    # make profile

Runs the library functions the tasks call (``constops.day``), one after the other in this
process and on one thread, on the Walker shell of ``make bench-scale`` (15,000 satellites,
2026-11-01, default settings) loaded into a fresh database of the local PostgreSQL
(``--postgres-url``; ``--sqlite`` for a SQLite file). Each task is run under cProfile:
``fleet_status``, the first ``count_coverage`` and ``find_passes`` shards as planned for
``--slots`` slots (with their trip through the work area's arrays), and the two loads of
every shard's result. Printed per task: its wall time without and with the profiler, and
the functions with the most own time (as a share of the profiled run); then the peak
memory (VmHWM) of each first shard computed alone in a fresh process, which
``profile_day.py --shard coverage|passes URL SNAPSHOT_ID FIRST STOP`` also measures alone. Airflow's share
of a task (its process, imports, the database) is not here: ``make bench-scale`` gives a
task's whole run time. Writes benchmarks/profile_results.txt.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

os.environ.setdefault("CONSTOPS__COVERAGE__THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from bench_scale import DAY, walker_payload  # noqa: E402

from cluster import temporary_database  # noqa: E402

RESULTS = Path(__file__).with_name("profile_results.txt")


def profiled(name: str, call, top: int, out: list[str]):
    """Run ``call()`` plain, then under cProfile; append the summary to ``out``; return its result."""
    t0 = time.perf_counter()
    call()
    plain_s = time.perf_counter() - t0
    profile = cProfile.Profile()
    t0 = time.perf_counter()
    result = profile.runcall(call)
    profiled_s = time.perf_counter() - t0
    stats = pstats.Stats(profile, stream=io.StringIO())
    total_s = sum(row[2] for row in stats.stats.values()) or 1.0
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]
    out.append(f"\n## {name}: {plain_s:.2f} s ({profiled_s:.2f} s under cProfile)\n")
    out.append(f"{'own s':>7} {'share':>6} {'calls':>9}  function")
    for (path, line, function), (_, calls, own_s, _cumulative_s, _) in rows:
        where = f"{Path(path).name}:{line}" if line else path
        out.append(f"{own_s:7.2f} {100 * own_s / total_s:5.1f}% {calls:9d}  {function} ({where})")
    print("\n".join(out[-top - 2:]), flush=True)
    return result


def shard_peak_mb(url: str, name: str, snapshot_id: int, first: int, stop: int) -> float:
    """Return the peak RSS (MB) of a fresh process computing product ``name``'s block
    ``[first, stop)`` of snapshot ``snapshot_id`` and storing it as arrays, as a shard does."""
    result = subprocess.run([sys.executable, __file__, "--shard", name, url, str(snapshot_id), str(first), str(stop)],
                            check=True, capture_output=True, text=True)
    return float(result.stdout.split()[-1])


def run_shard(name: str, url: str, snapshot_id: str, first: str, stop: str) -> None:
    """Compute one shard (see :func:`shard_peak_mb`); print this process's peak RSS, MB."""
    from constops.day.products import PRODUCTS
    from constops.reporting.store import connect
    from constops.settings import load_settings

    product, engine = PRODUCTS[name], connect(url)
    arrays = product.to_arrays(product.compute(engine, load_settings(), "qianfan", datetime.fromisoformat(DAY).date(),
                                               int(snapshot_id), int(first), int(stop)))
    engine.dispose()
    # VmHWM, not getrusage: Linux carries ru_maxrss over an exec from the forking parent.
    peak_kb = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                   if line.startswith("VmHWM:"))
    print(len(arrays), peak_kb / 1024)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--shard"]:
        run_shard(*argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--satellites", type=int, default=15000)
    parser.add_argument("--slots", type=int, default=2, help="the slots the shards are planned for")
    parser.add_argument("--top", type=int, default=8, help="functions listed per task")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "CONSTOPS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args(argv)

    from constops.archive import RawArchive
    from constops.day.assignment import assign_day
    from constops.day.fleet_status import compute_fleet_day
    from constops.day.products import PRODUCTS
    from constops.reporting.store import connect
    from constops.settings import load_settings
    from constops.snapshots import import_file

    settings = load_settings()
    day = datetime.fromisoformat(DAY).date()
    out = [f"# Profile of one day: {args.satellites} satellites, {DAY}, shards planned for {args.slots} slots, "
           f"{'SQLite' if args.sqlite else 'PostgreSQL'}, one thread"]
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="constops-profile-")))
        url = f"sqlite:///{root / 'profile.db'}" if args.sqlite else stack.enter_context(
            temporary_database(args.postgres_url, "constops_profile"))
        engine = connect(url)
        stack.callback(engine.dispose)
        snapshot = import_file(engine, RawArchive(str(root / "archive")), str(walker_payload(args.satellites, root)),
                               "qianfan")
        assign_day(engine, "qianfan", day, snapshot.snapshot_id, "archive")
        sid, peaks = snapshot.snapshot_id, []
        profiled("fleet_status", lambda: compute_fleet_day(engine, settings, "qianfan", day, sid), args.top, out)
        for name, task, load_task in (("coverage", "count_coverage", "load_coverage"),
                                      ("passes", "find_passes", "load_passes")):
            product = PRODUCTS[name]
            blocks = product.blocks(settings, args.satellites, slots=args.slots)
            first, stop = blocks[0]

            def shard(first=first, stop=stop, product=product):
                return product.from_arrays(product.to_arrays(
                    product.compute(engine, settings, "qianfan", day, sid, first, stop)))

            results = [profiled(f"{task}: shard 1 of {len(blocks)}, {stop - first} satellites", shard, args.top, out)]
            results += [shard(first, stop) for first, stop in blocks[1:]]
            profiled(f"{load_task}: {len(blocks)} shards' results",
                     lambda product=product, results=results: product.load(
                         engine, settings, "qianfan", day, sid, results), args.top, out)
            peaks.append(f"{task}, {stop - first} satellites: {shard_peak_mb(url, name, sid, first, stop):.0f} MB")
        out.append("\n## Peak memory of one shard alone (VmHWM of a fresh process)\n")
        out += peaks
        print("\n".join(out[-len(peaks) - 1:]), flush=True)
    RESULTS.write_text("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
