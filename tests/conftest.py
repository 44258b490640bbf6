"""Shared fixtures: real snapshots, a CelesTrak stand-in on 127.0.0.1, reporting databases.

Airflow reads AIRFLOW_HOME when it is first imported, so this file points it at a
fresh temporary folder before any test module imports Airflow.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
SNAPSHOTS = REPO / "data" / "snapshots" / "qianfan"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

_AIRFLOW_HOME = tempfile.mkdtemp(prefix="constops-test-airflow-")
os.environ.update({
    "AIRFLOW_HOME": _AIRFLOW_HOME,
    "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
})
for _name in ("CONSTOPS_SETTINGS", "CONSTOPS_CLOCK_UTC", "CONSTOPS_ARCHIVE_URL", "CONSTOPS_WORK_URL",
              "AIRFLOW_CONN_REPORTING_DB"):
    os.environ.pop(_name, None)

POSTGRES_ENV = "CONSTOPS_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "CONSTOPS_REQUIRE_POSTGRES"


def sharded_settings(directory: Path, coverage_shard: int, passes_shard: int) -> Path:
    """Write a copy of the default settings with other shard sizes into ``directory``; return its path."""
    from constops.settings import DEFAULTS_PATH, load_settings

    defaults = load_settings(DEFAULTS_PATH)
    text = DEFAULTS_PATH.read_text()
    for old, new in ((f"shard_satellites = {defaults.coverage_shard_satellites}\n", f"shard_satellites = {coverage_shard}\n"),
                     (f"shard_satellites = {defaults.pass_shard_satellites}\n", f"shard_satellites = {passes_shard}\n"),
                     ('geojson = "data/', f'geojson = "{DEFAULTS_PATH.parent}/data/')):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = directory / "sharded.toml"
    path.write_text(text)
    settings = load_settings(path)
    assert (settings.coverage_shard_satellites, settings.pass_shard_satellites) == (coverage_shard, passes_shard)
    return path


def snapshot_bytes(name: str) -> bytes:
    """Return the bytes of a bundled real CelesTrak snapshot, e.g. ``qianfan_2025-11-20.tle``."""
    return (SNAPSHOTS / name).read_bytes()


class CelestrakStandIn:
    """A real HTTP server on 127.0.0.1 that answers GP requests with what a test sets."""

    def __init__(self):
        self.status, self.body, self.headers, self.delay_s, self.requests = 200, b"[]", {}, 0.0, []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                stand_in.requests.append({
                    "path": urlsplit(self.path).path,
                    "query": {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()},
                    "user_agent": self.headers.get("User-Agent"),
                })
                time.sleep(stand_in.delay_s)
                self.send_response(stand_in.status)
                for name, value in stand_in.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(stand_in.body)))
                self.end_headers()
                self.wfile.write(stand_in.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, body: bytes, headers: dict | None = None, delay_s: float = 0.0) -> None:
        self.status, self.body, self.headers, self.delay_s = status, body, headers or {}, delay_s

    @property
    def connection_json(self) -> str:
        return f'{{"conn_type": "http", "host": "127.0.0.1", "port": {self.port}, "schema": "http"}}'

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def celestrak():
    """A CelesTrak stand-in on 127.0.0.1, serving the real 2025-11-20 OMM JSON by default."""
    stand_in = CelestrakStandIn()
    stand_in.answer(200, snapshot_bytes("qianfan_2025-11-20.json"))
    yield stand_in
    stand_in.close()


def _postgres_database():
    """Yield the URL of a fresh PostgreSQL database, dropped afterwards, or skip."""
    import sqlalchemy as sa

    from cluster import temporary_database

    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(f"{POSTGRES_ENV} is not set (`.ci/run` sets it)")
    database = temporary_database(admin_url, "constops_test")
    try:
        url = database.__enter__()
    except sa.exc.OperationalError as exc:
        if os.environ.get(REQUIRE_POSTGRES_ENV):
            raise
        pytest.skip(f"PostgreSQL at {admin_url} is not reachable: {exc.orig}")
    try:
        yield url
    finally:
        database.__exit__(None, None, None)


@pytest.fixture(params=["sqlite", "postgresql"])
def reporting_url(request, tmp_path):
    """The URL of an empty reporting database: a SQLite file, then a real PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reporting.db'}"
    else:
        yield from _postgres_database()
