"""The distributed deployment of docker-compose.yml, run as plain processes on one host.

    python scripts/cluster.py --workers 2          # what `make cluster` runs

Starts Airflow's api-server, scheduler, dag-processor and triggerer and N Celery
workers as separate processes, with the CeleryExecutor, Airflow's metadata in
PostgreSQL, the Celery broker in Redis and the reporting tables in their own
PostgreSQL database. The commands and the environment variables are those of the
services of docker-compose.yml (tests/unit/test_compose.py holds the two to each
other); only addresses differ (127.0.0.1 instead of service names). The scale-out test
and ``make bench-scale`` use this module; an operator can use it on a host without
Docker. Every process runs in its own session and is stopped with its children.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

#: The command of every Airflow service of docker-compose.yml; workers get a
#: ``--celery-hostname`` of their own here, because they share one host.
SERVICE_COMMANDS: dict[str, tuple[str, ...]] = {
    "airflow-init": ("airflow", "db", "migrate"),
    "airflow-apiserver": ("airflow", "api-server"),
    "airflow-scheduler": ("airflow", "scheduler"),
    "airflow-dag-processor": ("airflow", "dag-processor"),
    "airflow-triggerer": ("airflow", "triggerer"),
    "airflow-worker": ("airflow", "celery", "worker"),
}
COMPONENTS = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


@dataclass(frozen=True)
class ClusterConfig:
    """Where a distributed installation keeps its state, and how big its workers are.

    ``metadata_url`` and ``reporting_url`` are SQLAlchemy URLs of two PostgreSQL
    databases; ``broker_url`` is a Redis URL; ``archive_url`` and ``work_url`` are
    fsspec URLs every worker can reach (the raw archive, and the partial results of
    sharded tasks); ``queue`` is the Celery queue the workers consume.
    """

    home: Path
    metadata_url: str
    broker_url: str
    reporting_url: str
    archive_url: str
    work_url: str
    celestrak_connection: str = '{"conn_type": "http", "host": "celestrak.org", "schema": "https"}'
    api_port: int = 8080
    worker_concurrency: int = 1
    threads_per_task: int = 1
    #: Task slots one run's shards may fill; 0: workers x worker_concurrency, set by start().
    slots: int = 0
    queue: str = "default"
    settings_path: str | None = None
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    fernet_key: str = field(default_factory=lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())


def environment(config: ClusterConfig) -> dict[str, str]:
    """Return the environment variables every process of the installation shares: the
    same names as ``x-airflow-common.environment`` in docker-compose.yml."""
    metadata = config.metadata_url
    env = {
        "AIRFLOW_HOME": str(config.home),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS": "constops_airflow.celery_preload.CELERY_CONFIG",
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata.replace("postgresql+psycopg2://", "postgresql://"),
        "AIRFLOW__CELERY__BROKER_URL": config.broker_url,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(config.worker_concurrency),
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": config.queue,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(config.api_port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{config.api_port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": config.jwt_secret,
        "AIRFLOW__CORE__FERNET_KEY": config.fernet_key,
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW_CONN_CELESTRAK": config.celestrak_connection,
        "AIRFLOW_CONN_REPORTING_DB": config.reporting_url,
        "CONSTOPS_ARCHIVE_URL": config.archive_url,
        "CONSTOPS_WORK_URL": config.work_url,
        "CONSTOPS__COVERAGE__THREADS": str(config.threads_per_task),
        "CONSTOPS__PIPELINE__SLOTS": str(config.slots),
    }
    if config.settings_path:
        env["CONSTOPS_SETTINGS"] = config.settings_path
    return env


@contextmanager
def temporary_database(admin_url: str, prefix: str = "constops"):
    """Create a fresh PostgreSQL database next to the one of ``admin_url`` (a superuser's
    or a role with CREATEDB); yield its SQLAlchemy URL; drop it afterwards, forcing out
    any session left."""
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """The processes of one installation: init once, then components and workers."""

    def __init__(self, config: ClusterConfig, extra_env: dict[str, str] | None = None):
        self.config = config
        # The caller's own settings overrides (CONSTOPS__SECTION__KEY) pass through; the rest of
        # Airflow's and the pipeline's environment is this cluster's own.
        base = {k: v for k, v in os.environ.items()
                if k.startswith("CONSTOPS__") or not k.startswith(("AIRFLOW", "CONSTOPS_"))}
        self.env = {**base, "PATH": f"{BIN}{os.pathsep}{base.get('PATH', '')}",
                    **environment(config), **(extra_env or {})}
        self.logs = config.home / "logs-cluster"
        self.processes: dict[str, subprocess.Popen] = {}

    def init(self) -> None:
        """Create or upgrade Airflow's metadata database (the compose ``airflow-init`` service)."""
        self.config.home.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        self.run(*SERVICE_COMMANDS["airflow-init"][1:])

    def run(self, *args: str, timeout_s: float = 300) -> str:
        """Run one ``airflow`` CLI command in the installation's environment; return its stdout."""
        result = subprocess.run([str(BIN / "airflow"), *args], env=self.env, capture_output=True,
                                text=True, timeout=timeout_s)
        if result.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result.stdout

    def start(self, workers: int) -> None:
        """Start the four components and ``workers`` Celery workers; return once the
        api-server answers and every worker has joined the broker. Unless the configuration
        sets them, the slots of the shards are those of the workers started here."""
        if not self.config.slots:
            self.env["CONSTOPS__PIPELINE__SLOTS"] = str(workers * self.config.worker_concurrency)
        for service in COMPONENTS:
            self._spawn(service, SERVICE_COMMANDS[service])
        for i in range(1, workers + 1):
            self.start_worker(i)
        self.wait_for("the api-server", self.api_healthy, timeout_s=180)
        self.wait_for(f"{workers} Celery workers", lambda: self.workers_ready() >= workers, timeout_s=180)

    def start_worker(self, number: int) -> None:
        """Start Celery worker ``number``, with a host name and a log-server port of its own."""
        command = (*SERVICE_COMMANDS["airflow-worker"], "--celery-hostname", f"worker{number}@%h")
        self._spawn(f"airflow-worker-{number}", command,
                    AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()))

    def _spawn(self, name: str, command: tuple[str, ...], **extra: str) -> None:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (the child process writes it until stop())
        self.processes[name] = subprocess.Popen(
            [str(BIN / command[0]), *command[1:]], env={**self.env, **extra},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()

    def api_healthy(self) -> bool:
        """Return True when the api-server reports a healthy metadata database."""
        url = f"http://127.0.0.1:{self.config.api_port}/api/v2/monitor/health"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.load(response)["metadatabase"]["status"] == "healthy"
        except (OSError, ValueError, KeyError):
            return False

    def workers_ready(self) -> int:
        """Return how many of this installation's workers have announced themselves ready."""
        return sum(
            b"ready." in (self.logs / f"{name}.log").read_bytes()
            for name in self.processes if name.startswith("airflow-worker-")
        )

    def wait_for(self, what: str, condition, timeout_s: float = 240, every_s: float = 2.0):
        """Poll ``condition()`` until it is truthy and return it; fail with the logs' tails
        if it takes ``timeout_s`` or a process exits."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited ({process.returncode}):\n{self.tail(name)}")
            value = condition()
            if value:
                return value
            time.sleep(every_s)
        raise TimeoutError(f"waited {timeout_s:.0f} s for {what}:\n" + "\n".join(map(self.tail, self.processes)))

    def tail(self, name: str, n_bytes: int = 3000) -> str:
        """Return the end of a process's log."""
        path = self.logs / f"{name}.log"
        text = path.read_bytes()[-n_bytes:].decode(errors="replace") if path.exists() else ""
        return f"--- {name} ---\n{text}"

    def stop(self) -> list[str]:
        """Stop every process and its children (TERM, then KILL after 30 s); return the
        names of those that had to be killed."""
        for process in self.processes.values():
            signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while any(session_alive(p.pid) for p in self.processes.values()) and time.monotonic() < deadline:
            for process in self.processes.values():
                process.poll()
            time.sleep(0.5)
        killed = [name for name, p in self.processes.items() if session_alive(p.pid)]
        for name in killed:
            signal_session(self.processes[name].pid, signal.SIGKILL)
        for process in self.processes.values():
            process.wait(timeout=10)
        return killed

    def kill_and_restart(self, name: str) -> None:
        """Kill every process of ``name``'s session with SIGKILL (a crash: nothing is told or
        cleaned up), then start it again as it was started."""
        process = self.processes[name]
        signal_session(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        if name.startswith("airflow-worker-"):
            self.start_worker(int(name.rsplit("-", 1)[1]))
        else:
            self._spawn(name, SERVICE_COMMANDS[name])

    def alive(self) -> list[str]:
        """Return the names of the processes that still have a live member of their session."""
        return [name for name, p in self.processes.items() if session_alive(p.pid)]


def signal_group(constellation_id: int, signum: int) -> None:
    """Send ``signum`` to every process of a process group, if any is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(constellation_id, signum)


def signal_session(session: int, signum: int) -> None:
    """Send ``signum`` to every process of a session: a service started here and all it
    started, task processes included (Airflow's supervisor puts each in a group of its own)."""
    for pid in session_members(session):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def session_members(session: int) -> list[int]:
    """Return the live processes (zombies excepted) of session ``session``."""
    members = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            members.append(int(status.parent.name))
    return members


def session_alive(session: int) -> bool:
    """Return True while a process of the session of a service started here (its pid) is
    alive, zombies excepted."""
    return bool(session_members(session))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=REPO / ".airflow-cluster", help="AIRFLOW_HOME of the installation")
    parser.add_argument("--metadata-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/airflow",
                        help="Airflow's metadata database (PostgreSQL)")
    parser.add_argument("--reporting-url", default="postgresql://postgres@127.0.0.1:5432/reporting",
                        help="the reporting database (PostgreSQL)")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/0", help="Celery broker (Redis)")
    parser.add_argument("--archive-url", help="raw archive, shared by all workers (default HOME/archive)")
    parser.add_argument("--work-url", help="partial results of sharded tasks (default HOME/work)")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers to start")
    parser.add_argument("--concurrency", type=int, default=1, help="tasks each worker runs at once")
    parser.add_argument("--threads", type=int, default=1, help="threads of each task ([coverage] threads)")
    parser.add_argument("--port", type=int, default=8080, help="api-server port on 127.0.0.1")
    args = parser.parse_args(argv)
    config = ClusterConfig(
        home=args.home.resolve(), metadata_url=args.metadata_url, broker_url=args.broker_url,
        reporting_url=args.reporting_url, archive_url=args.archive_url or str(args.home.resolve() / "archive"),
        work_url=args.work_url or str(args.home.resolve() / "work"), api_port=args.port,
        worker_concurrency=args.concurrency, threads_per_task=args.threads,
        settings_path=os.environ.get("CONSTOPS_SETTINGS"), **stored_secrets(args.home.resolve()),
        **{"celestrak_connection": os.environ["AIRFLOW_CONN_CELESTRAK"]} if "AIRFLOW_CONN_CELESTRAK" in os.environ else {},
    )
    cluster = Cluster(config)
    cluster.init()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        cluster.start(args.workers)
        print(f"Airflow UI: http://127.0.0.1:{args.port} (log in with the passwords in "
              f"{config.home / 'simple_auth_manager_passwords.json.generated'}); logs: {cluster.logs}; "
              f"Ctrl-C stops every process", flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        cluster.stop()
    return 0


def stored_secrets(home: Path) -> dict[str, str]:
    """Return the installation's JWT secret and Fernet key: from the environment when set,
    else from ``home/secrets.json``, made once (mode 0600) so that restarts keep them."""
    path = home / "secrets.json"
    if path.exists():
        saved = json.loads(path.read_text())
    else:
        fresh = ClusterConfig(home, "", "", "", "", "")
        saved = {"jwt_secret": fresh.jwt_secret, "fernet_key": fresh.fernet_key}
        home.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(saved))
    return {"jwt_secret": os.environ.get("AIRFLOW__API_AUTH__JWT_SECRET") or saved["jwt_secret"],
            "fernet_key": os.environ.get("AIRFLOW__CORE__FERNET_KEY") or saved["fernet_key"]}


if __name__ == "__main__":
    sys.exit(main())
