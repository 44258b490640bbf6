"""Airflow's Celery configuration, with the preload in each Celery worker.

``[celery] celery_config_options = constops_airflow.celery_preload.CELERY_CONFIG``
(``docker-compose.yml``, ``scripts/cluster.py``): Celery's settings are Airflow's own,
unchanged; importing this module connects a ``worker_init`` handler, which runs
:func:`~constops_airflow.preload.preload` in a worker's main process before its prefork
pool is forked, so that every task process starts with the library and its kernels.
"""

from __future__ import annotations

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from celery.signals import worker_init

from constops_airflow.preload import preload

#: Airflow's Celery configuration, as it is.
CELERY_CONFIG = dict(DEFAULT_CELERY_CONFIG)


@worker_init.connect
def _preload_in_worker(**_) -> None:
    """Preload in a Celery worker's main process, before its pool processes are forked."""
    preload()
