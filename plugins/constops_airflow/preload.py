"""What every task process of the pipeline imports, loaded once per executor process.

A task process is forked: by a LocalExecutor worker (itself forked from the scheduler
when the executor starts) or by a Celery pool process (forked from the Celery worker's
main process). It starts with whatever that process holds: the DAG files' imports, the
library's modules (NumPy, pandas, shapely, SGP4, OR-Tools) and the Numba kernels loaded
from their cache. Without the preload each task paid them again (``docs/profile.md``).

Two ways in, one per executor, each chosen by a documented Airflow setting:

* ``[core] executor = constops_airflow.preload.PreloadingLocalExecutor`` (``make run``,
  ``scripts/airflow-env.sh``): the LocalExecutor, preloading before it forks its workers.
* ``[celery] celery_config_options = constops_airflow.celery_preload.CELERY_CONFIG``
  (``docker-compose.yml``, ``scripts/cluster.py``): Airflow's Celery settings, unchanged,
  and a ``worker_init`` handler that preloads in the worker's main process before the
  prefork pool starts (``celery_preload``).

A preload that fails never fails the scheduler or the worker: it is logged and the tasks
pay their imports as before.
"""

from __future__ import annotations

import importlib
import logging
import time

from airflow.executors.local_executor import LocalExecutor

log = logging.getLogger(__name__)

#: The Airflow layer's modules the DAG files and their tasks import.
AIRFLOW_LAYER = ("constops_airflow.whole_day", "constops_airflow.sharding", "constops_airflow.day_tasks",
                 "constops_airflow.runs", "constops_airflow.resources", "constops_airflow.hooks",
                 "constops_airflow.alerts", "constops_airflow.assets")


def preload() -> float | None:
    """Import every module of the library's public face (``constops.api``) and
    :data:`AIRFLOW_LAYER`, and load the Numba kernels into this process; return the seconds
    it took (wall), or None (logged) when it failed."""
    began = time.perf_counter()
    try:
        from constops import api

        for name in api.__all__:
            getattr(api, name)
        for module in AIRFLOW_LAYER:
            importlib.import_module(module)
        api.warm_kernels()
    except Exception:  # never fail the scheduler or worker over a preload
        log.warning("constops preload failed: the tasks import the library themselves", exc_info=True)
        return None
    seconds = time.perf_counter() - began
    log.info("constops preloaded for the task processes in %.1f s", seconds)
    return seconds


class PreloadingLocalExecutor(LocalExecutor):
    """Airflow's LocalExecutor, preloading (:func:`preload`) before it forks its workers."""

    def start(self) -> None:
        preload()
        super().start()
