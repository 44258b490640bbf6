"""The executors' preload: the LocalExecutor of ``make run`` loads the library and its
compiled kernels before it forks its workers (so every task process starts with them), a
Celery worker does it before it forks its pool, and a failed preload never stops either."""

import json
import subprocess
import sys
import textwrap

import pytest

from tests.support.data import REPO

KERNELS = ("constops.row_runs._add_runs", "constops.row_runs._add_counts", "constops.reach.within_reach",
           "constops.cell_series.cell_runs", "constops.cell_series.weighted_series")


@pytest.mark.slow  # a fresh Python process: Airflow, the library and the kernels' cache
def test_the_local_executor_holds_the_library_and_its_kernels_when_it_forks_its_workers(tmp_path):
    # At the moment the executor forks its workers (what every task process is forked from),
    # record what the scheduler's process holds.
    code = textwrap.dedent(f"""
        import importlib, json, sys
        from airflow.executors.local_executor import LocalExecutor
        from constops_airflow.preload import PreloadingLocalExecutor
        seen = {{}}
        def spawn(self, n):
            seen["modules"] = [m for m in ("constops.coverage", "constops.contact_plan", "ortools",
                                           "constops_airflow.whole_day", "shapely") if m in sys.modules]
            seen["compiled"] = []
            for path in {list(KERNELS)!r}:
                module, name = path.rsplit(".", 1)
                if module in sys.modules and getattr(sys.modules[module], name).signatures:
                    seen["compiled"].append(path)
        LocalExecutor._spawn_workers_with_gc_freeze = spawn
        before = [m for m in ("constops.coverage", "constops_airflow.whole_day") if m in sys.modules]
        PreloadingLocalExecutor(parallelism=1).start()
        print(json.dumps({{"before": before, **seen}}))
    """)
    env = {"AIRFLOW_HOME": str(tmp_path), "PATH": f"{REPO / '.venv' / 'bin'}:/usr/bin:/bin",
           "PYTHONPATH": f"{REPO / 'plugins'}:{REPO / 'include'}", "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] == []  # nothing of the library until the executor starts
    assert seen["modules"] == ["constops.coverage", "constops.contact_plan", "ortools",
                               "constops_airflow.whole_day", "shapely"]
    assert seen["compiled"] == list(KERNELS)


def test_a_failed_preload_is_logged_and_leaves_the_process_running(monkeypatch, capsys, caplog):
    from constops import api
    from constops_airflow import preload

    def broken():
        raise OSError("Numba's cache directory is read-only")

    monkeypatch.setattr(api, "warm_kernels", broken)
    assert preload.preload() is None
    # Airflow's structlog writes to stdout once configured; before that, logging's handlers.
    logged = capsys.readouterr().out + caplog.text
    assert "constops preload failed" in logged and "read-only" in logged


def test_the_celery_workers_preload_before_forking_and_keep_airflows_celery_settings():
    from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
    from celery.signals import worker_init

    from constops_airflow import celery_preload

    assert celery_preload.CELERY_CONFIG == DEFAULT_CELERY_CONFIG
    receivers = [ref() for _, ref in worker_init.receivers]
    assert celery_preload._preload_in_worker in receivers
    for configured in ((REPO / "docker-compose.yml").read_text(), (REPO / "scripts" / "cluster.py").read_text()):
        assert "constops_airflow.celery_preload.CELERY_CONFIG" in configured
    assert "constops_airflow.preload.PreloadingLocalExecutor" in (REPO / "scripts" / "airflow-env.sh").read_text()
