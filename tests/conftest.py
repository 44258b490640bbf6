"""Shared fixtures: real snapshots, a CelesTrak stand-in on 127.0.0.1, reporting databases.

Airflow reads AIRFLOW_HOME when it is first imported, so this file points it at a
fresh temporary folder before any test module imports Airflow.
"""

from __future__ import annotations

import os
import tempfile

import pytest

from tests.support.data import REPO, snapshot_bytes
from tests.support.postgres import DATABASES, postgres_database

from celestrak_stand_in import CelestrakStandIn

_AIRFLOW_HOME = tempfile.mkdtemp(prefix="constops-test-airflow-")
os.environ.update({
    "AIRFLOW_HOME": _AIRFLOW_HOME,
    "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
})
for _name in [*("CONSTOPS_SETTINGS", "CONSTOPS_CLOCK_UTC", "CONSTOPS_ARCHIVE_URL", "CONSTOPS_WORK_URL",
                "CONSTOPS_ALERTS_FILE", "AIRFLOW_CONN_REPORTING_DB"),
              *(name for name in os.environ if name.startswith("CONSTOPS__"))]:
    os.environ.pop(_name, None)
#: Every test that runs a gateway_passes day plans its contacts: with the solver's default
#: limit that is ~20 s a day, with this one ~5 s and the same rules kept (a plan's quality
#: is tested by the unit tests, which read the defaults with ``load_settings(environ={})``).
os.environ["CONSTOPS__CONTACT_PLAN__DETERMINISTIC_TIME_LIMIT"] = "0.05"


@pytest.fixture
def celestrak():
    """A CelesTrak stand-in on 127.0.0.1, serving the real 2025-11-20 OMM JSON by default."""
    stand_in = CelestrakStandIn()
    stand_in.answer(200, snapshot_bytes("qianfan_2025-11-20.json"))
    yield stand_in
    stand_in.close()


@pytest.fixture(params=DATABASES)
def reporting_url(request, tmp_path):
    """The URL of an empty reporting database: a SQLite file, then a real PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reporting.db'}"
    else:
        yield from postgres_database()


#: Every test of these folders runs Airflow (``dag.test()``, an installation, a browser
#: against one): ``slow``, left out of ``make test-fast``; the browser's are ``browser`` too.
_FOLDER_MARKS = {"dags": ("slow",), "integration": ("slow",), "browser": ("slow", "browser")}


#: The modules that take minutes, longest first: ``make test`` runs the suite on two
#: processes (pytest-xdist, one module per process at a time), and starting with these keeps
#: both busy to the end instead of leaving one of them the last long test alone.
_LONGEST_FIRST = ["test_scheduled_days.py", "test_celery_cluster.py", "test_operations_pages.py",
                  "test_constellations_real.py", "test_real_feed.py", "test_daily_pipeline.py"]


def pytest_collection_modifyitems(items):
    """Mark each test by its folder (see ``_FOLDER_MARKS``); run the longest modules first
    (see ``_LONGEST_FIRST``), the others in their usual order."""
    for item in items:
        folder = item.path.parent.name
        for name in _FOLDER_MARKS.get(folder, ()):
            item.add_marker(getattr(pytest.mark, name))
    rank = {name: i for i, name in enumerate(_LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order
