"""A listener that writes each asset-triggered run's day into its ``conf``, so that Airflow's
runs list (whose *Conf* column is shown by default) says which day every run computes.

Airflow 3.3 names a run started by an asset event ``asset_triggered__<creation time>`` and
hides the *Partition Key* column, so a ``coverage`` run for 2025-11-20 started today showed
only today's time. ``conf = {"day": <partition key>}`` names the same day as the partition
key, which ``constops_airflow.runs.run_day`` reads first: nothing computes differently.
"""

from __future__ import annotations

from airflow.listeners import hookimpl

#: DAGs whose runs are started by the day partitions of ``gp_elements``.
ASSET_TRIGGERED_DAGS = ("coverage", "gateway_passes")


def day_conf(dag_id: str, partition_key: str | None, conf: dict | None) -> dict | None:
    """Return the conf a run should carry (its conf with ``day`` set to the partition key),
    or None when it needs no change."""
    conf = dict(conf or {})
    if dag_id not in ASSET_TRIGGERED_DAGS or not partition_key or conf.get("day"):
        return None
    conf["day"] = partition_key
    return conf


class RunDayListener:
    """Runs in the scheduler: called once a run starts, inside the scheduler's transaction."""

    @hookimpl
    def on_dag_run_running(self, dag_run, msg: str):
        conf = day_conf(dag_run.dag_id, dag_run.partition_key, dag_run.conf)
        if conf is not None:
            dag_run.conf = conf


run_day_listener = RunDayListener()
