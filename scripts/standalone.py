"""Start and stop ``airflow standalone`` in an AIRFLOW_HOME of its own, beside other installations.

Used by the integration and browser tests and by ``benchmarks/bench_backfill.py``: each
installation gets free ports for its API server and log servers, so several run at once.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from cluster import free_port, session_alive, signal_group, signal_session

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[1]
#: ``make run``'s executor (scripts/airflow-env.sh).
PRELOADING_EXECUTOR = "constops_airflow.preload.PreloadingLocalExecutor"


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    """Return the environment of a separate Airflow installation rooted at ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CONSTOPS_CLOCK"))}
    port = free_port()
    env.update({
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTOR": PRELOADING_EXECUTOR,  # as make run: tasks start with the library loaded
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        # Log servers of their own, so that installations can run side by side.
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        **extra,
    })
    return env


def airflow(env: dict, *args: str, timeout_s: float = 180) -> str:
    """Run one ``airflow`` CLI command; return its stdout, raising with its output on failure."""
    result = subprocess.run([str(BIN / "airflow"), *args], env=env, capture_output=True, text=True, timeout=timeout_s)
    if result.returncode != 0:
        raise RuntimeError(f"airflow {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


class Standalone:
    """``airflow standalone`` (api-server, scheduler, dag-processor, triggerer) as a process group."""

    def __init__(self, env: dict):
        self.env = env
        self.home = Path(env["AIRFLOW_HOME"])
        self.log = open(self.home / "standalone.log", "wb")  # noqa: SIM115 (written by the child until stop())
        self.process = subprocess.Popen(
            [str(BIN / "airflow"), "standalone"], env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def metadata(self, query: str, params=()) -> list[tuple]:
        """Return the rows of a query on the installation's SQLite metadata DB."""
        with sqlite3.connect(self.home / "airflow.db", timeout=30) as conn:
            return conn.execute(query, params).fetchall()

    def wait_for(self, what: str, condition, timeout_s: float = 240, every_s: float = 2.0):
        """Poll ``condition()`` until it returns a truthy value; fail with the log tail otherwise."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"airflow standalone exited ({self.process.returncode}):\n{self.tail()}")
            try:
                value = condition()
            except sqlite3.OperationalError:
                value = None
            if value:
                return value
            time.sleep(every_s)
        raise TimeoutError(f"waited {timeout_s:.0f} s for {what}; runs:\n{self.runs_table()}\n{self.tail()}")

    def runs_table(self) -> str:
        """Return every DAG run of the installation, a line each (what a timeout failure shows)."""
        try:
            rows = self.metadata("SELECT dag_id, run_id, partition_key, state, start_date, end_date FROM dag_run "
                                 "ORDER BY id")
        except sqlite3.OperationalError as exc:
            return f"(dag_run unreadable: {exc})"
        return "\n".join(" | ".join(map(str, row)) for row in rows) or "(no run)"

    def tail(self, n_bytes: int = 4000) -> str:
        self.log.flush()
        return (self.home / "standalone.log").read_bytes()[-n_bytes:].decode(errors="replace")

    def stop(self) -> None:
        """Stop every process of the group: TERM, then KILL whatever is left after 30 s."""
        session = self.process.pid
        signal_group(session, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while session_alive(session) and time.monotonic() < deadline:
            self.process.poll()
            time.sleep(0.5)
        if session_alive(session):
            signal_session(session, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()


def start_installation(root: Path, celestrak_connection: str, files, **extra: str) -> tuple[Standalone, dict, str]:
    """Migrate a fresh Airflow home under ``root`` (reporting tables in SQLite, archive
    beside them), import the snapshot files ``files``, start ``airflow standalone`` and wait
    until the per-day DAGs are parsed and unpaused. ``celestrak_connection`` is the
    CelesTrak connection as JSON; ``extra`` more environment. Return (the running
    installation, its environment, the reporting database's URL)."""
    root.mkdir()
    env = airflow_env(
        root / "airflow",
        AIRFLOW_CONN_CELESTRAK=celestrak_connection,
        AIRFLOW_CONN_REPORTING_DB=json.dumps({"conn_type": "sqlite", "host": str(root / "reporting.db")}),
        CONSTOPS_ARCHIVE_URL=str(root / "archive"),
        **extra,
    )
    (root / "airflow").mkdir()
    airflow(env, "db", "migrate")
    subprocess.run([sys.executable, str(REPO / "scripts" / "import_snapshots.py"), *map(str, files)],
                   env=env, check=True, capture_output=True)
    services = Standalone(env)
    services.wait_for("the DAGs to be parsed", lambda: len(services.metadata(
        "SELECT dag_id FROM dag WHERE dag_id IN ('tle_ingest', 'coverage', 'gateway_passes') AND is_paused = 0")) == 3)
    return services, env, f"sqlite:///{root / 'reporting.db'}"
