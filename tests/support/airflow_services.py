"""Start and stop real Airflow processes for integration tests, in their own AIRFLOW_HOME."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.support.data import REPO

from cluster import free_port, session_alive, signal_group, signal_session

BIN = Path(sys.executable).parent


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
        constellation_id = self.process.pid
        signal_group(constellation_id, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while session_alive(constellation_id) and time.monotonic() < deadline:
            self.process.poll()
            time.sleep(0.5)
        if session_alive(constellation_id):
            signal_session(constellation_id, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()
