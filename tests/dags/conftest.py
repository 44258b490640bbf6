"""Airflow for the DAG tests: a migrated metadata DB in this session's temporary AIRFLOW_HOME, and the
pipeline pointed at the stand-in CelesTrak, a fresh reporting database and archive."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from constops.reporting.store import connect


@pytest.fixture(scope="session")
def airflow_db():
    """Migrate the session's Airflow metadata DB (SQLite under the temporary AIRFLOW_HOME)."""
    home = Path(os.environ["AIRFLOW_HOME"])
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return home


@pytest.fixture(scope="session")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])


@pytest.fixture
def pipeline(airflow_db, dagbag, celestrak, tmp_path, monkeypatch):
    """Point the DAGs at the stand-in CelesTrak, a fresh reporting SQLite file and archive."""
    url = f"sqlite:///{tmp_path / 'reporting.db'}"
    monkeypatch.setenv("CONSTOPS_ALERTS_FILE", str(tmp_path / "alerts.log"))
    monkeypatch.setenv("AIRFLOW_CONN_CELESTRAK", celestrak.connection_json)
    monkeypatch.setenv("AIRFLOW_CONN_REPORTING_DB", f'{{"conn_type": "sqlite", "host": "{tmp_path / "reporting.db"}"}}')
    monkeypatch.setenv("CONSTOPS_ARCHIVE_URL", str(tmp_path / "archive"))
    # The payload was downloaded on 2025-11-20 after 18:11 UTC (its newest epoch): replay that moment.
    monkeypatch.setenv("CONSTOPS_CLOCK_UTC", "2025-11-20T18:30:00Z")
    engine = connect(url)
    yield dagbag, celestrak, engine
    engine.dispose()
