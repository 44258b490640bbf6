"""What a task process pays before its work: Airflow's import, the DAG files, the library, the kernels.

    python benchmarks/bench_imports.py [--repeats 5]    # make bench-imports

Each figure is the median over ``--repeats`` fresh Python processes, so nothing is cached in
memory between them (the disk cache and Numba's kernel cache are warm, as on a worker):

* ``airflow_import_s``: ``import airflow.sdk, airflow.providers.standard``, the cost every
  DAG file pays; the baseline of the DAG files' figure.
* ``dag_files_parse_s``: running every file of ``dags/`` after that import; ratio
  ``dag_files_per_airflow_import``.
* ``dependencies_import_s``: NumPy, pandas, SQLAlchemy, SGP4, shapely, Numba and OR-Tools,
  what the library imports from others; the baseline of the library's figure.
* ``library_import_s``: every module of ``constops.api`` after those dependencies, the
  library's own import; ratio ``library_per_dependencies``.
* ``kernels_warm_s``: ``constops.kernels.warm_kernels()`` after the library, the Numba
  kernels loaded from their cache and run once (``scripts/compile_kernels.py`` fills it).

The preload (``plugins/constops_airflow/preload.py``) pays the last three once per executor
or Celery worker process instead of once per task. Writes benchmarks/import_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("import_results.json")

_MEASURE = """
import glob, json, os, runpy, time
t = [time.perf_counter()]
import airflow.sdk, airflow.providers.standard
t.append(time.perf_counter())
for path in sorted(glob.glob(os.path.join(os.environ["AIRFLOW__CORE__DAGS_FOLDER"], "*.py"))):
    runpy.run_path(path)
t.append(time.perf_counter())
import numpy, pandas, sqlalchemy, sgp4.api, shapely, numba, ortools.sat.python.cp_model
t.append(time.perf_counter())
from constops import api
for name in api.__all__:
    getattr(api, name)
t.append(time.perf_counter())
api.warm_kernels()
t.append(time.perf_counter())
print(json.dumps([b - a for a, b in zip(t, t[1:])]))
"""

FIGURES = ("airflow_import_s", "dag_files_parse_s", "dependencies_import_s", "library_import_s", "kernels_warm_s")


def measure_once() -> dict[str, float]:
    """Run :data:`_MEASURE` in a fresh interpreter; return its five figures in seconds (wall)."""
    env = os.environ | {"AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"), "CONSTOPS__COVERAGE__THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", _MEASURE], capture_output=True, text=True, env=env, check=True)
    return dict(zip(FIGURES, json.loads(out.stdout.strip().splitlines()[-1])))


def main() -> None:
    """Measure, print the medians and the two ratios, write :data:`RESULTS`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    runs = [measure_once() for _ in range(args.repeats)]
    median = {name: round(statistics.median(run[name] for run in runs), 3) for name in FIGURES}
    result = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "repeats": args.repeats,
        **median,
        "dag_files_per_airflow_import": round(median["dag_files_parse_s"] / median["airflow_import_s"], 3),
        "library_per_dependencies": round(median["library_import_s"] / median["dependencies_import_s"], 3),
    }
    for name in FIGURES:
        spread = ", ".join(f"{run[name]:.2f}" for run in runs)
        print(f"{name:>24}: {median[name]:6.3f} s median ({spread})")
    print(f"DAG files ÷ Airflow's import: {result['dag_files_per_airflow_import']:.3f}")
    print(f"library ÷ its dependencies:   {result['library_per_dependencies']:.3f}")
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
