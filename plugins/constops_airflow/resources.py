"""Where a run finds its resources: the reporting database, the raw archive, CelesTrak.

* ``reporting_db`` connection (any SQLAlchemy database with an Airflow hook: SQLite,
  PostgreSQL). Without one, a SQLite file ``$AIRFLOW_HOME/reporting.db``.
* ``CONSTOPS_ARCHIVE_URL``: fsspec URL of the raw archive; default ``$AIRFLOW_HOME/archive``.
* ``CONSTOPS_WORK_URL``: fsspec URL of the sharded tasks' partial results; default
  ``$AIRFLOW_HOME/work``. With several workers, both must be storage every worker reaches.
* ``celestrak`` connection (HTTP, read by ``hooks.CelestrakHook``; extras ``timeout`` and
  ``connect_retries``); ``make run`` defines it as ``https://celestrak.org``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

REPORTING_CONN_ID = "reporting_db"
CELESTRAK_CONN_ID = "celestrak"
ARCHIVE_ENV = "CONSTOPS_ARCHIVE_URL"
WORK_ENV = "CONSTOPS_WORK_URL"


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
def _engine(url: str, masks_deg: tuple[float, ...], station_ids: tuple[str, ...]):
    from constops.api import connect

    return connect(url, masks_deg, station_ids)


def reporting_engine():
    """Return the (cached) SQLAlchemy Engine of the reporting database, schema created and
    the analysts' views made for the configured masks and stations."""
    from constops.api import load_settings

    settings = load_settings()
    return _engine(reporting_url(), settings.masks_deg, tuple(s.station_id for s in settings.all_stations))


def raw_archive():
    """Return the raw archive at ``$CONSTOPS_ARCHIVE_URL`` (default ``$AIRFLOW_HOME/archive``)."""
    from constops.api import RawArchive

    return RawArchive(os.environ.get(ARCHIVE_ENV) or str(airflow_home() / "archive"))


def work_area():
    """Return the work area of sharded tasks at ``$CONSTOPS_WORK_URL`` (default ``$AIRFLOW_HOME/work``)."""
    from constops.api import WorkArea

    return WorkArea(os.environ.get(WORK_ENV) or str(airflow_home() / "work"))


def celestrak_fetcher(user_agent: str, max_body_bytes: int, spacing_s: float = 0.0):
    """Return ``fetch(query) -> Answer``: one GET of CelesTrak's GP API through
    :class:`~constops_airflow.hooks.CelestrakHook` on the ``celestrak`` connection, at least
    ``spacing_s`` seconds after the previous one of the same fetcher ended. After CelesTrak
    refuses this client (see ``celestrak.refuses_client``) the fetcher asks nothing more:
    every later call raises CelestrakAnswerError naming the refusal."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    from constops.api import CelestrakAnswerError, RequestPacer, refuses_client
    from constops_airflow.hooks import CelestrakHook

    pacer, refused = RequestPacer(spacing_s), []

    def fetch(query):
        if refused:
            raise CelestrakAnswerError(f"not requested: CelesTrak refused this client earlier in the run "
                                       f"({refused[0]}); no further request is made, as its policy requires")
        pacer.wait()
        try:
            hook = CelestrakHook(CELESTRAK_CONN_ID)
        except AirflowNotFoundException:
            raise AirflowNotFoundException(
                f"connection {CELESTRAK_CONN_ID!r} is not defined; set for example "
                f"AIRFLOW_CONN_CELESTRAK='{{\"conn_type\": \"http\", \"host\": \"celestrak.org\", \"schema\": \"https\"}}'"
            ) from None
        try:
            answer = hook.fetch_group(query, user_agent, max_body_bytes)
        finally:
            pacer.done()
        if refuses_client(answer.status, answer.body):
            refused.append(f"HTTP {answer.status} to {answer.url}")
        return answer

    return fetch
