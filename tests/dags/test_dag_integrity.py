"""The DAG files: they import, declare what operators rely on, and parse without the heavy imports."""

import glob
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap

PIPELINE = {"tle_ingest", "coverage", "gateway_passes"}


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) >= PIPELINE


def test_every_dag_has_tags_docs_owner_and_a_retry_policy(dagbag):
    for dag_id in PIPELINE:
        dag = dagbag.get_dag(dag_id)
        assert "constops" in dag.tags and dag.doc_md
        assert dag.catchup is False and dag.start_date.tzinfo is not None
        for task in dag.tasks:
            assert task.owner == "constellation-ops"
            assert task.doc_md or task.doc or task.python_callable.__doc__
    # CelesTrak must never be asked twice in one run; the computations may retry.
    assert dagbag.get_dag("tle_ingest").get_task("ingest").retries == 0
    for dag_id, mapped in (("coverage", "count_coverage"), ("gateway_passes", "find_passes")):
        dag = dagbag.get_dag(dag_id)
        assert dag.get_task(mapped).retries >= 1 and dag.get_task(mapped).map_index_template


def test_heavy_tasks_are_mapped_over_shards_between_a_plan_and_a_merge(dagbag):
    for dag_id, mapped, merge in (("coverage", "count_coverage", "load_coverage"),
                                  ("gateway_passes", "find_passes", "load_passes")):
        dag = dagbag.get_dag(dag_id)
        assert dag.get_task(mapped).upstream_task_ids == {"plan_shards"}
        # Every task that reads elements gets the snapshot resolved once at the run's start.
        assert dag.get_task(merge).upstream_task_ids == {mapped, "compute_day"}
        # The last task names the constellations the run left out (from compute_day).
        assert dag.leaves == [dag.get_task("every_constellation")]
        assert "compute_day" in dag.get_task("plan_shards").upstream_task_ids
        assert dag.get_task("compute_day").upstream_task_ids == set()
    coverage = dagbag.get_dag("coverage")
    assert coverage.get_task("quality_gate").upstream_task_ids == {"load_coverage", "compute_day"}
    assert coverage.get_task("every_constellation").upstream_task_ids == {"quality_gate", "compute_day"}
    # The contact plan is made from the loaded passes, the sun outages beside it; one gate
    # checks passes and plans together, after both.
    passes = dagbag.get_dag("gateway_passes")
    assert passes.get_task("plan_contacts").upstream_task_ids == {"load_passes", "compute_day"}
    assert passes.get_task("find_sun_outages").upstream_task_ids == {"load_passes", "compute_day"}
    assert passes.get_task("quality_gate").upstream_task_ids == {"plan_contacts", "find_sun_outages",
                                                                 "compute_day"}
    assert passes.get_task("every_constellation").upstream_task_ids == {"quality_gate", "compute_day"}
    assert coverage.get_task("plan_shards").upstream_task_ids == {"fleet_status", "compute_day"}
    assert coverage.get_task("fleet_status").upstream_task_ids == {"compute_day"}


def test_downstream_dags_are_partitioned_on_the_ingest_asset(dagbag):
    from airflow.sdk import CronPartitionTimetable, PartitionedAssetTimetable

    ingest = dagbag.get_dag("tle_ingest")
    assert isinstance(ingest.timetable, CronPartitionTimetable)
    outlets = {a.name for a in ingest.get_task("ingest").outlets}
    assert outlets == {"gp_elements"}
    for dag_id in ("coverage", "gateway_passes"):
        assert isinstance(dagbag.get_dag(dag_id).timetable, PartitionedAssetTimetable)


#: The library modules a DAG file may load when parsed (none of them imports NumPy).
_LIGHT_LIBRARY_MODULES = {"constops.api", "constops.defaults", "constops.errors", "constops.quality", "constops.slots"}


def test_dag_files_import_nothing_heavy_beyond_airflow():
    """The DAG processor parses every file often: beyond Airflow's own import the files add
    only the light modules of the library and the Airflow layer (no NumPy, pandas, SGP4,
    shapely, Numba, OR-Tools or requests; those load in the task, or once per executor
    process by the preload). Their parse time is measured by ``make bench-imports``."""
    code = textwrap.dedent("""
        import glob, json, os, runpy, sys
        import airflow.sdk, airflow.providers.standard  # the cost every DAG file pays
        before = set(sys.modules)
        for path in sorted(glob.glob(os.path.join(os.environ["AIRFLOW__CORE__DAGS_FOLDER"], "*.py"))):
            runpy.run_path(path)
        print(json.dumps(sorted(set(sys.modules) - before)))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy(), check=True)
    added = json.loads(out.stdout.strip().splitlines()[-1])
    heavy = {"numpy", "pandas", "sgp4", "shapely", "numba", "ortools", "scipy", "requests", "pyarrow"}
    assert not {name.split(".")[0] for name in added} & heavy, added
    assert any(name.startswith("constops") for name in added)
    assert not any(name.startswith("constops.") and name not in _LIGHT_LIBRARY_MODULES for name in added), added


def test_no_dag_file_shadows_a_module_that_tasks_import():
    # Task processes run with the DAG folder on sys.path: dags/coverage.py once made Numba's
    # `import coverage` (its coverage.py support) find the DAG file, and every task fail.
    folder = os.environ["AIRFLOW__CORE__DAGS_FOLDER"]
    stems = {os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(folder, "*.py"))}
    taken = set(sys.stdlib_module_names) | set(importlib.metadata.packages_distributions()) | {"coverage"}
    assert not stems & taken
    imported = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {folder!r}); import numba, constops.coverage"],
                              capture_output=True, text=True, env=os.environ.copy())
    assert imported.returncode == 0, imported.stderr[-2000:]


def test_runs_at_once_follow_the_slots_of_the_cost_model(airflow_db, monkeypatch):
    """A backfill fills the slots: each per-day DAG runs two days per slot at once, tle_ingest
    six per slot (a past day's ingest asks CelesTrak nothing); on a cluster the slots
    (``[pipeline] slots``, workers x concurrency) scale them."""
    from airflow.dag_processing.dagbag import DagBag

    from constops.slots import INGESTS_PER_SLOT, RUNS_PER_SLOT

    for slots in (2, 8):
        monkeypatch.setenv("CONSTOPS__PIPELINE__SLOTS", str(slots))
        bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
        assert {d: bag.get_dag(d).max_active_runs for d in PIPELINE} == {
            "coverage": RUNS_PER_SLOT * slots, "gateway_passes": RUNS_PER_SLOT * slots,
            "tle_ingest": INGESTS_PER_SLOT * slots}
    monkeypatch.setenv("CONSTOPS__PIPELINE__SLOTS", "0")  # 0: the cores of the machine
    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    assert bag.get_dag("coverage").max_active_runs == RUNS_PER_SLOT * (os.cpu_count() or 1)
