"""Airflow plugin: the "Constellation" operations pages in Airflow's UI.

Adds a FastAPI app to the API server under ``/constellation`` (see
``constops_airflow.operations.app``), a "Constellation" entry in the navigation, and a
"Day page" tab on every DAG run that opens the page of the day the run computed, and a
listener that writes each asset-triggered run's day into its conf (shown in the runs list).
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from constops_airflow.operations.app import URL_PREFIX, app
from constops_airflow.operations.run_days import run_day_listener


class ConstellationPlugin(AirflowPlugin):
    name = "constellation_operations"
    listeners = [run_day_listener]
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "Constellation operations"}]
    external_views = [
        {"name": "Constellation", "href": f"{URL_PREFIX.lstrip('/')}/calendar", "url_route": "constellation",
         "destination": "nav", "icon": None},
        {"name": "Day page", "href": f"{URL_PREFIX.lstrip('/')}/run/{{DAG_ID}}/{{RUN_ID}}",
         "url_route": "constellation_day", "destination": "dag_run"},
    ]
