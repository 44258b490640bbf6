"""Helpers of the tests on the local Celery cluster (scripts/cluster.py)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.data import REPO, SNAPSHOTS

SNAPSHOT = SNAPSHOTS / "qianfan_2025-11-20.tle"


def import_snapshot(env: dict, path=SNAPSHOT) -> None:
    """Import a bundled snapshot into an installation's archive and reporting database."""
    subprocess.run([sys.executable, str(REPO / "scripts" / "import_snapshots.py"), str(path)],
                   env=env, check=True, capture_output=True)


def forget_queue(redis_url: str, queue: str) -> None:
    """Remove the test's queue and its bindings from the shared Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(queue, f"_kombu.binding.{queue}", *client.keys(f"{queue}\x06*"))

