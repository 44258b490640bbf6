"""The listener that names each asset-triggered run's day in its conf."""

from types import SimpleNamespace

from constops_airflow.operations.run_days import day_conf, run_day_listener


def test_an_asset_triggered_run_gets_its_partition_day_in_its_conf():
    run = SimpleNamespace(dag_id="coverage", partition_key="2025-11-20", conf={})
    run_day_listener.on_dag_run_running(dag_run=run, msg="started")
    assert run.conf == {"day": "2025-11-20"}


def test_runs_that_name_their_day_already_or_have_none_are_left_alone():
    assert day_conf("coverage", "2025-11-20", {"day": "2025-11-20"}) is None
    assert day_conf("gateway_passes", None, {}) is None
    assert day_conf("tle_ingest", "2025-11-20", {}) is None  # its run id carries the day
    assert day_conf("gateway_passes", "2025-11-21", None) == {"day": "2025-11-21"}
