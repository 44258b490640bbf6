"""A backfill of Qianfan days through Airflow's scheduler against the engine alone.

    python benchmarks/bench_backfill.py [--days 30] [--plan-days 10] [--first-day 2025-11-15]
    make bench-backfill [DAYS=30]

One fresh ``airflow standalone`` installation (``make run``'s: LocalExecutor, SQLite
metadata and reporting tables, Airflow's default intervals) imports the bundled week of
real Qianfan snapshots (2025-11-14..20) and backfills ``--days`` days of ``tle_ingest``
(``airflow backfill create``, ``max_snapshot_age_days`` raised to 40 so that the days after
11-20 are computed from its download, recorded as an override). Each ingested day's
asset event starts that day's ``coverage`` and ``gateway_passes`` runs. Then the library
computes the same days in this process on one core (the calls the tasks make, no
Airflow) and the two databases' rows are compared. Reported:

  wall_s             from ``backfill create`` to the end of the last downstream run
  engine_core_s      the library's CPU seconds for the days, by product (ingest, fleet
                     status, coverage, passes, contact plan, sun outages, quality gates)
  task_core_s        the CPU seconds of the executor's worker processes and the task
                     processes they ran (/proc: utime + stime of each and of its reaped
                     children): every task's process start, imports, execution API and work
  installation_core_s  the same for every process of the installation (scheduler,
                     dag-processor, api-server, triggerer included)
  task_run_s         the sum of the task instances' run times (Airflow's ``duration``)
  task_core_s_per_engine_core_s, wall_per_engine_parallel = wall_s / (engine_core_s / cores)
  year_min           wall_s per day x 365, in minutes

Both measured twice, on two installations one after the other: with the default settings
(``with_contact_plan``: Akkol's four antennas planned by CP-SAT each day) and with Akkol's
antennas left out of the settings (``coverage_and_passes``: the day the issue's engine
figure of about 1.5 core-seconds is). The contact plan's shape backfills the first
``--plan-days`` days only: its engine alone takes about 24 s a day. ``--airflow-only``
leaves out the engine and the comparison (to measure an older checkout's DAGs against
the engine figures of this one). Writes benchmarks/backfill_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from cluster import free_port  # noqa: E402
from standalone import airflow, start_installation  # noqa: E402

RESULTS = Path(__file__).with_name("backfill_results.json")
SNAPSHOTS = sorted((REPO / "data" / "snapshots" / "qianfan").glob("qianfan_2025-11-*.tle"))
MAX_AGE_DAYS = 40
#: ``make run``'s intervals (airflow_env's are the tests' faster ones).
RUN_DEFAULTS = {"AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "300", "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "5"}
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def process_cpu_s(session: int) -> dict[int, tuple[str, float]]:
    """Return {pid: (title, CPU s)} of every live process of ``session``: user + system time
    of the process and of its children it has reaped."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if int(fields[3]) == session:
            found[int(entry.name)] = (title, sum(int(f) for f in fields[11:15]) / TICKS_PER_S)
    return found


#: How the installation's processes are told apart: a word of the title -> its component.
COMPONENTS = (("LocalExecutor", "tasks"), ("scheduler", "scheduler"), ("dag-processor", "dag_processor"),
              ("triggerer", "triggerer"), ("api_server", "api_server"), ("api-server", "api_server"))


def cpu_by_component_s(session: int) -> dict[str, float]:
    """Return the CPU seconds of the live processes of ``session`` by component
    (:data:`COMPONENTS`; ``other`` for the rest, ``airflow standalone`` among them)."""
    found: dict[str, float] = {}
    for title, seconds in process_cpu_s(session).values():
        component = next((name for word, name in COMPONENTS if word in title), "other")
        found[component] = found.get(component, 0.0) + seconds
    return found


def wait_for_days(services, keys: list[str], timeout_s: float) -> list[tuple]:
    """Wait until every run of the backfilled partitions ``keys`` (tle_ingest and both
    downstream DAGs) has ended; return (dag_id, partition_key, state, start, end) of each."""
    marks = ",".join("?" * len(keys))

    def ended():
        rows = services.metadata(
            "SELECT dag_id, partition_key, state, start_date, end_date FROM dag_run WHERE dag_id IN "
            f"('tle_ingest', 'coverage', 'gateway_passes') AND partition_key IN ({marks})", keys)
        done = [r for r in rows if r[2] in ("success", "failed")]
        return rows if len(done) == len(rows) == 3 * len(keys) else None

    return services.wait_for(f"the {len(keys)} days' runs", ended, timeout_s=timeout_s, every_s=1.0)


def task_figures(services, keys: list[str]) -> dict:
    """Return per ``dag_id.task_id``: instances by state, their summed run time (s) and
    their summed wait from queued to started (s, the executor's share)."""
    marks = ",".join("?" * len(keys))
    rows = services.metadata(
        "SELECT ti.dag_id, ti.task_id, ti.state, count(*), coalesce(sum(ti.duration), 0), "
        "coalesce(sum(julianday(ti.start_date) - julianday(ti.queued_dttm)), 0) * 86400 FROM task_instance ti "
        "JOIN dag_run r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id "
        f"WHERE r.partition_key IN ({marks}) GROUP BY ti.dag_id, ti.task_id, ti.state", keys)
    figures: dict[str, dict] = {}
    for dag_id, task_id, state, count, seconds, waited in rows:
        entry = figures.setdefault(f"{dag_id}.{task_id}", {"run_s": 0.0, "queued_s": 0.0})
        entry[state or "none"] = count
        entry["run_s"] = round(entry["run_s"] + seconds, 2)
        entry["queued_s"] = round(entry["queued_s"] + (waited or 0), 2)
    return figures


def without_antennas(directory: Path) -> Path:
    """Write the default settings less Akkol's antennas (no contact plan) into ``directory``; return the path."""
    from constops.settings import DEFAULTS_PATH, load_settings

    lines = DEFAULTS_PATH.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("antennas = ")]
    assert len(kept) == len(lines) - 1, "the defaults hold one station with antennas"
    path = directory / "no-contact-plan.toml"
    path.write_text("".join(kept).replace('geojson = "data/', f'geojson = "{DEFAULTS_PATH.parent}/data/'))
    assert not any(s.antennas for s in load_settings(path).all_stations)
    return path


def through_airflow(days: list[date], root: Path, settings: dict, timeout_s: float,
                    max_active_runs: int | None = None) -> tuple[dict, str]:
    """Backfill ``days`` on a fresh installation under ``root`` with the environment
    ``settings`` (CONSTOPS_SETTINGS or none), ``max_active_runs`` runs of tle_ingest at once
    (None: the DAG's own); return (the figures, the reporting DB's URL)."""
    nothing_listens = json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": free_port(), "schema": "http"})
    services, env, url = start_installation(root, nothing_listens, SNAPSHOTS, **RUN_DEFAULTS, **settings)
    try:
        keys = [d.isoformat() for d in days]
        time.sleep(10)  # let the installation settle: its start-up is not the backfill's cost
        before = cpu_by_component_s(services.process.pid)
        start = datetime.now(timezone.utc)
        at_once = ["--max-active-runs", str(max_active_runs)] if max_active_runs else []
        airflow(env, "backfill", "create", "--dag-id", "tle_ingest", "--from-date", keys[0], "--to-date", keys[-1],
                "--dag-run-conf", json.dumps({"max_snapshot_age_days": MAX_AGE_DAYS}), *at_once)
        runs = wait_for_days(services, keys, timeout_s)
        spent = {name: seconds - before.get(name, 0.0) for name, seconds in cpu_by_component_s(services.process.pid).items()}
        end = max(datetime.fromisoformat(r[4]).replace(tzinfo=timezone.utc) for r in runs)
        failed = sorted((r[0], r[1]) for r in runs if r[2] != "success")
        figures = {
            "wall_s": round((end - start).total_seconds(), 1),
            "task_core_s": round(spent.get("tasks", 0.0), 1),
            "installation_core_s": round(sum(spent.values()), 1),
            "installation_core_s_by_component": {name: round(seconds, 1) for name, seconds in sorted(spent.items())},
            "failed_runs": failed,
            "tasks": task_figures(services, keys),
        }
        figures["task_run_s"] = round(sum(t["run_s"] for t in figures["tasks"].values()), 1)
        figures["task_instances_run"] = sum(t.get("success", 0) + t.get("failed", 0) for t in figures["tasks"].values())
        return figures, url
    finally:
        services.stop()


def engine_alone(days: list[date], root: Path, settings_path: str | None) -> tuple[dict, str]:
    """Compute ``days`` with the library in this process, as the tasks do, with the settings
    of ``settings_path`` (None: the defaults); return (CPU s by product, the reporting DB's URL)."""
    from constops import api

    url = f"sqlite:///{root / 'engine.db'}"
    engine, settings = api.connect(url), api.load_settings(settings_path)
    archive = api.RawArchive(str(root / "engine-archive"))
    for path in SNAPSHOTS:
        api.import_file(engine, archive, path, "qianfan")
    later = datetime(2026, 1, 1, tzinfo=timezone.utc)
    api.warm_kernels()  # loaded once, as in a preloaded executor: not a day's cost
    spent: dict[str, float] = {}

    def timed(product, call, *args, **kwargs):
        began = time.process_time()
        result = call(*args, **kwargs)
        spent[product] = spent.get(product, 0.0) + time.process_time() - began
        return result

    for day in days:
        timed("ingest", api.ingest_day, engine, archive, settings, "qianfan", day, later, None, max_age_days=MAX_AGE_DAYS)
        snapshot_id = api.resolve_day_snapshot(engine, settings, "qianfan", day)["snapshot_id"]
        timed("fleet_status", api.compute_fleet_day, engine, settings, "qianfan", day, snapshot_id)
        timed("coverage", api.compute_whole, "coverage", engine, settings, "qianfan", day, snapshot_id)
        timed("passes", api.compute_whole, "passes", engine, settings, "qianfan", day, snapshot_id)
        for station in api.planned_stations(settings, ["qianfan"]):
            timed("contact_plan", api.plan_station_day, engine, settings, station.station_id, day,
                  {"qianfan": snapshot_id})
        timed("sun_outages", api.sun_outages_day, engine, settings, day, {"qianfan": snapshot_id})
        timed("quality_gates", api.check_coverage_day, engine, settings, "qianfan", day)
        timed("quality_gates", api.check_gateway_day, engine, settings, "qianfan", day)
    engine.dispose()
    return {k: round(v, 2) for k, v in spent.items()}, url


#: Columns that say when a row was written or how long its solve took, not what it says.
VOLATILE = frozenset({"computed_at", "recorded_at", "solve_s"})


def same_rows(airflow_url: str, engine_url: str) -> dict[str, bool]:
    """Return, per result table, whether both databases hold the same rows (:data:`VOLATILE` left out)."""
    import sqlalchemy as sa

    from constops.api import connect
    from constops.reporting import schema

    tables = (schema.day_snapshots, schema.fleet_status, schema.coverage_daily, schema.coverage_cells,
              schema.gateway_passes, schema.gateway_daily, schema.contact_plan, schema.gateway_schedule_daily)
    engines = connect(airflow_url), connect(engine_url)
    try:
        def rows(engine, table):
            with engine.connect() as conn:
                return sorted(map(tuple, conn.execute(sa.select(*(c for c in table.c if c.name not in VOLATILE)))))

        return {t.name: rows(engines[0], t) == rows(engines[1], t) for t in tables}
    finally:
        for engine in engines:
            engine.dispose()


def ratios(wall_s: float, engine_core_s: float, task_core_s: float, cores: int, n_days: int) -> dict:
    """Return the issue's two ratios and the year extrapolated from ``n_days`` (minutes)."""
    return {
        "task_core_s_per_engine_core_s": round(task_core_s / engine_core_s, 2),
        "wall_per_engine_parallel": round(wall_s / (engine_core_s / cores), 2),
        "year_min": round(wall_s / n_days * 365 / 60, 1),
    }


def measure(days: list[date], root: Path, settings_path: Path | None, timeout_s: float, executor: str | None,
            airflow_only: bool = False, max_active_runs: int | None = None) -> dict:
    """Backfill ``days`` through Airflow (``executor``: None for ``make run``'s), compute them
    with the library alone (unless ``airflow_only``), compare the rows; return the figures
    (see the module's docstring)."""
    root.mkdir()
    environment = {"CONSTOPS_SETTINGS": str(settings_path)} if settings_path else {}
    if executor:
        environment["AIRFLOW__CORE__EXECUTOR"] = executor
    run, airflow_url = through_airflow(days, root / "airflow", environment, timeout_s, max_active_runs)
    if airflow_only:
        return {"days": len(days), **run}
    by_product, engine_url = engine_alone(days, root, settings_path)
    engine_core_s = sum(by_product.values())
    cores = os.cpu_count() or 1
    return {
        "days": len(days), "engine_core_s": round(engine_core_s, 1), "engine_core_s_by_product": by_product,
        **{k: run[k] for k in ("wall_s", "task_core_s", "installation_core_s", "installation_core_s_by_component",
                               "task_run_s", "task_instances_run")},
        **ratios(run["wall_s"], engine_core_s, run["task_core_s"], cores, len(days)),
        "same_rows_as_the_engine": same_rows(airflow_url, engine_url),
        "failed_runs": run["failed_runs"], "tasks": run["tasks"],
    }


#: Every shipped constellation's real answer of one day (``make demo-all``'s).
SIZING_DAY = date(2026, 5, 30)
SIZING_CONSTELLATIONS = ("qianfan", "oneweb", "starlink", "kuiper", "kazsat")


def engine_day_by_constellation(root: Path) -> dict[str, dict]:
    """Compute SIZING_DAY of each of SIZING_CONSTELLATIONS from its real answer with the
    library in this process, with the default settings (Akkol's contact plan for the
    constellations its antennas serve); return per constellation its satellites and the
    CPU seconds of each product."""
    from constops import api

    api.warm_kernels()
    return {c: engine_day(root, api.load_settings(), c) for c in SIZING_CONSTELLATIONS}


def engine_day(root: Path, settings, constellation_id: str) -> dict:
    """Return SIZING_DAY of ``constellation_id`` computed by the library on a fresh SQLite
    database under ``root``: its satellites and the CPU seconds of each product."""
    import sqlalchemy as sa

    from constops import api
    from constops.reporting import schema

    engine = api.connect(f"sqlite:///{root / f'sizing-{constellation_id}.db'}")
    archive = api.RawArchive(str(root / f"sizing-archive-{constellation_id}"))
    path = REPO / "data" / "snapshots" / constellation_id / f"{constellation_id}_{SIZING_DAY}.tle"
    api.import_file(engine, archive, path, constellation_id)
    api.ingest_day(engine, archive, settings, constellation_id, SIZING_DAY, datetime(2026, 12, 1, tzinfo=timezone.utc),
                   None, max_age_days=MAX_AGE_DAYS)
    snapshot = api.resolve_day_snapshot(engine, settings, constellation_id, SIZING_DAY)["snapshot_id"]
    calls = [("fleet_status", api.compute_fleet_day, (engine, settings, constellation_id, SIZING_DAY, snapshot)),
             *((product, api.compute_whole, (product, engine, settings, constellation_id, SIZING_DAY, snapshot))
               for product in ("coverage", "passes")),
             *(("contact_plan", api.plan_station_day,
                (engine, settings, station.station_id, SIZING_DAY, {constellation_id: snapshot}))
               for station in api.planned_stations(settings, [constellation_id]))]
    spent: dict[str, float] = {}
    for product, call, args in calls:
        began = time.process_time()
        call(*args)
        spent[product] = round(spent.get(product, 0.0) + time.process_time() - began, 2)
    with engine.connect() as conn:
        satellites = conn.execute(sa.select(schema.gp_snapshots.c.object_count).where(
            schema.gp_snapshots.c.snapshot_id == snapshot)).scalar()
    engine.dispose()
    return {"satellites": satellites, "core_s": spent}


def print_shape(name: str, figures: dict) -> None:
    """Print one shape's figures and its task table."""
    print(f"\n== {name}")
    print(json.dumps({k: v for k, v in figures.items() if k != "tasks"}, indent=2))
    print(f"{'task':<40} {'instances':>24} {'run s':>8} {'queued s':>9}")
    for task, entry in sorted(figures["tasks"].items()):
        counts = ", ".join(f"{v} {k}" for k, v in entry.items() if not k.endswith("_s"))
        print(f"{task:<40} {counts:>24} {entry['run_s']:>8.1f} {entry['queued_s']:>9.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--first-day", type=date.fromisoformat, default=date(2025, 11, 15))
    parser.add_argument("--timeout-s", type=float, default=3600)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--plan-days", type=int, default=10, help="days of the contact plan's shape")
    parser.add_argument("--max-active-runs", type=int, help="tle_ingest runs at once (default: the DAG's)")
    parser.add_argument("--sizing", action="store_true",
                        help="also each shipped constellation's engine day (2026-05-30), for the README's sizing")
    parser.add_argument("--airflow-only", action="store_true", help="no engine run, no comparison")
    parser.add_argument("--executor", help="another executor than make run's (LocalExecutor: without the preload)")
    parser.add_argument("--shapes", default="coverage_and_passes,with_contact_plan",
                        help="which of the two settings to measure, comma-separated")
    args = parser.parse_args()
    days = [args.first_day + timedelta(days=i) for i in range(args.days)]
    result = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "first_day": days[0].isoformat(), "max_snapshot_age_days": MAX_AGE_DAYS,
        "executor": args.executor or "make run's (constops_airflow.preload.PreloadingLocalExecutor)",
    }
    shapes = [shape for shape in args.shapes.split(",") if shape]
    with tempfile.TemporaryDirectory(prefix="constops-backfill-") as tmp:
        root = Path(tmp)
        for shape in shapes:
            settings_path = {"coverage_and_passes": without_antennas(root), "with_contact_plan": None}[shape]
            shape_days = days if shape == "coverage_and_passes" else days[:args.plan_days]
            result[shape] = measure(shape_days, root / shape, settings_path, args.timeout_s, args.executor,
                                    args.airflow_only, args.max_active_runs)
            print_shape(shape, result[shape])
        if args.sizing:
            result["engine_day_by_constellation"] = engine_day_by_constellation(root)
            print(json.dumps(result["engine_day_by_constellation"], indent=2))
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    good = all(not result[s]["failed_runs"] and all(result[s].get("same_rows_as_the_engine", {}).values())
               for s in shapes)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
