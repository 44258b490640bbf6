"""Where a run finds its resources: the reporting database, the raw archive, CelesTrak.

* ``reporting_db`` connection (any SQLAlchemy database with an Airflow hook: SQLite,
  PostgreSQL). Without one, a SQLite file ``$AIRFLOW_HOME/reporting.db``.
* ``CONSTOPS_ARCHIVE_URL``: fsspec URL of the raw archive; default ``$AIRFLOW_HOME/archive``.
* ``CONSTOPS_WORK_URL``: fsspec URL of the sharded tasks' partial results; default
  ``$AIRFLOW_HOME/work``. With several workers, both must be storage every worker reaches.
* ``celestrak`` connection (HTTP); ``make run`` defines it as ``https://celestrak.org``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

REPORTING_CONN_ID = "reporting_db"
CELESTRAK_CONN_ID = "celestrak"
ARCHIVE_ENV = "CONSTOPS_ARCHIVE_URL"
WORK_ENV = "CONSTOPS_WORK_URL"
#: Connect and read timeout of the one CelesTrak request, seconds (env CONSTOPS_FETCH_TIMEOUT_S).
FETCH_TIMEOUT_ENV = "CONSTOPS_FETCH_TIMEOUT_S"


def airflow_home() -> Path:
    """Return AIRFLOW_HOME (default ~/airflow, as Airflow itself does)."""
    return Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))


def reporting_url() -> str:
    """Return the SQLAlchemy URL of the reporting database, from the ``reporting_db`` connection."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        connection = BaseHook.get_connection(REPORTING_CONN_ID)
    except AirflowNotFoundException:
        return f"sqlite:///{airflow_home() / 'reporting.db'}"
    hook = connection.get_hook()
    try:
        return hook.sqlalchemy_url.render_as_string(hide_password=False)
    except NotImplementedError:
        return hook.get_uri()


@lru_cache(maxsize=4)
def _engine(url: str):
    from constops.reporting.store import connect

    return connect(url)


def reporting_engine():
    """Return the (cached) SQLAlchemy Engine of the reporting database, schema created."""
    return _engine(reporting_url())


def raw_archive():
    """Return the raw archive at ``$CONSTOPS_ARCHIVE_URL`` (default ``$AIRFLOW_HOME/archive``)."""
    from constops.archive import RawArchive

    return RawArchive(os.environ.get(ARCHIVE_ENV) or str(airflow_home() / "archive"))


def work_area():
    """Return the work area of sharded tasks at ``$CONSTOPS_WORK_URL`` (default ``$AIRFLOW_HOME/work``)."""
    from constops.shards import WorkArea

    return WorkArea(os.environ.get(WORK_ENV) or str(airflow_home() / "work"))


def celestrak_fetcher(user_agent: str, max_body_bytes: int):
    """Return ``fetch(group) -> Answer``: one GET of CelesTrak's GP API through the
    ``celestrak`` HTTP connection, never retried, redirects not followed, and at most
    ``max_body_bytes + 1`` bytes read (so that a larger body is seen, kept and rejected)."""
    from airflow.providers.http.hooks.http import HttpHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    from constops import celestrak
    from constops.day.ingest import Answer

    def fetch(group: str) -> Answer:
        hook = HttpHook(method="GET", http_conn_id=CELESTRAK_CONN_ID)
        try:
            hook.get_connection(CELESTRAK_CONN_ID)
        except AirflowNotFoundException:
            raise AirflowNotFoundException(
                f"connection {CELESTRAK_CONN_ID!r} is not defined; set for example "
                f"AIRFLOW_CONN_CELESTRAK='{{\"conn_type\": \"http\", \"host\": \"celestrak.org\", \"schema\": \"https\"}}'"
            ) from None
        response = hook.run(
            endpoint=celestrak.GP_PATH,
            data=celestrak.gp_params(group, "json"),
            headers={"User-Agent": user_agent},
            extra_options={"check_response": False, "allow_redirects": False, "stream": True,
                           "timeout": float(os.environ.get(FETCH_TIMEOUT_ENV, 60))},
        )
        with response:
            body = _read_capped(response, max_body_bytes + 1)
        return Answer(url=response.url, status=response.status_code, body=body)

    return fetch


def _read_capped(response, limit: int) -> bytes:
    """Return the first ``limit`` bytes of a streamed response body (all of it if shorter)."""
    body = bytearray()
    for chunk in response.iter_content(chunk_size=65536):
        body += chunk
        if len(body) >= limit:
            break
    return bytes(body[:limit])
