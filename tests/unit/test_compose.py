"""docker-compose.yml, validated by reading it (no Docker engine here): the same Airflow
components as `airflow standalone`, the same connections, and no secret in the file."""

import re

import yaml

from tests.conftest import REPO

STANDALONE_COMPONENTS = {"airflow api-server", "airflow scheduler", "airflow dag-processor", "airflow triggerer"}


def _compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_runs_the_standalone_components_on_celery_postgres_and_redis():
    services = _compose()["services"]
    commands = {s.get("command") for s in services.values()}
    assert STANDALONE_COMPONENTS | {"airflow celery worker", "airflow db migrate"} <= commands
    assert {"postgres", "redis"} <= set(services)
    env = services["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql")


def test_compose_uses_the_connections_and_settings_of_the_local_run():
    env = _compose()["services"]["airflow-worker"]["environment"]
    local = (REPO / "scripts" / "airflow-env.sh").read_text()
    for name in ("AIRFLOW_CONN_CELESTRAK", "AIRFLOW__CORE__DAGS_FOLDER", "AIRFLOW__CORE__PLUGINS_FOLDER",
                 "AIRFLOW__CORE__LOAD_EXAMPLES", "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"):
        assert name in env and name in local
    assert env["AIRFLOW_CONN_REPORTING_DB"].endswith("/reporting")  # its own database, not Airflow's
    assert "CONSTOPS_ARCHIVE_URL" in env


def test_compose_takes_every_secret_from_the_env_file():
    text = (REPO / "docker-compose.yml").read_text()
    for secret in re.findall(r"^\s*[A-Z_]*(?:PASSWORD|SECRET|FERNET_KEY)[A-Z_]*:\s*(\S+)", text, re.MULTILINE):
        assert secret.startswith("${"), secret
    for password in re.findall(r"://[^:/@\s]+:([^@\s]*)@", text):
        assert password.startswith("${"), password
    assert ".env" in (REPO / ".gitignore").read_text().split()
    assert (REPO / ".env.example").exists()
