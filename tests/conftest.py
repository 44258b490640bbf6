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


#: The modules that run Airflow's own servers (a scheduler, a Celery cluster, an
#: installation under a browser) spend most of their minutes waiting for them: ``make test``
#: runs them one after another on one pytest-xdist process, beside one process per core for
#: the other modules (see ``pytest_xdist_make_scheduler``), so that their waiting overlaps
#: the CPU-bound modules instead of two of them waiting side by side.
_AIRFLOW_SERVICES = ("test_scheduled_days.py", "test_celery_cluster.py", "test_operations_pages.py")
#: Then the longest CPU-bound modules first, so that no process is left alone with the last
#: long module.
_LONGEST_FIRST = [*_AIRFLOW_SERVICES, "test_real_feed.py", "test_constellations_real.py", "test_daily_pipeline.py",
                  "test_gateway_schedule.py"]


def pytest_collection_modifyitems(items):
    """Mark each test by its folder (see ``_FOLDER_MARKS``); run the longest modules first
    (see ``_LONGEST_FIRST``), the others in their usual order."""
    for item in items:
        folder = item.path.parent.name
        for name in _FOLDER_MARKS.get(folder, ()):
            item.add_marker(getattr(pytest.mark, name))
    rank = {name: i for i, name in enumerate(_LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


def pytest_xdist_make_scheduler(config, log):
    """With ``--dist loadfile``: each module is one unit of work, as pytest-xdist makes them,
    except the ``_AIRFLOW_SERVICES`` modules, which are one unit together. Return None (xdist's
    own scheduler) for any other mode. (xdist 3.8's ``loadgroup`` under pytest 9.2 sent the
    tests of one ``xdist_group`` to two workers here.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class AirflowServicesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = super()._split_scope(nodeid)
            return "airflow services" if module.rsplit("/", 1)[-1] in _AIRFLOW_SERVICES else module

    return AirflowServicesTogether(config, log)
