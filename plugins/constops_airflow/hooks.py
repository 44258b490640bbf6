"""CelestrakHook: CelesTrak's GP API through Airflow's HTTP hook and the ``celestrak`` connection.

The connection says where (host, schema, port: tests point it at 127.0.0.1) and how
patiently: its extra ``timeout`` (seconds, connect and read; default 60) and
``connect_retries`` (how many times to try again when no answer came at all, a refused
or dropped connection; default 0). An answer of CelesTrak, whatever its status, is never
asked again: CelesTrak's policy is to firewall clients that repeat refused requests.
"""

from __future__ import annotations

from airflow.providers.http.hooks.http import HttpHook
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

DEFAULT_TIMEOUT_S = 60.0
#: Extra keys of the connection that this hook reads (HttpHook would send them as headers).
_OWN_EXTRAS = ("connect_retries",)


class CelestrakHook(HttpHook):
    """Fetches one GP answer per call; the parsing stays in the library (``constops``)."""

    conn_name_attr = "http_conn_id"
    default_conn_name = "celestrak"
    conn_type = "http"
    hook_name = "CelesTrak"

    def __init__(self, http_conn_id: str = default_conn_name):
        retries = int(self.get_connection(http_conn_id).extra_dejson.get("connect_retries", 0))
        # Retry only connection failures: no read retries, no status retries, no redirects.
        adapter = HTTPAdapter(max_retries=Retry(total=None, connect=retries, read=0, redirect=0, status=0,
                                                other=0, backoff_factor=1.0, raise_on_status=False))
        super().__init__(method="GET", http_conn_id=http_conn_id, adapter=adapter)

    def get_conn(self, headers=None, extra_options=None):
        """Return the session HttpHook makes, without this hook's own extras as headers."""
        session = super().get_conn(headers, extra_options)
        for key in _OWN_EXTRAS:
            session.headers.pop(key, None)
        return session

    def fetch_group(self, query: dict[str, str] | str, user_agent: str, max_body_bytes: int):
        """Return the ``Answer`` (final URL, status, body) of one GET of the selection ``query``
        (``{"GROUP": "qianfan"}``, ``{"CATNR": "37798"}``, or a group name) in OMM JSON,
        redirects not followed, at most ``max_body_bytes + 1`` bytes read (so that a
        larger body is seen, kept and rejected)."""
        import requests

        from constops.api import GP_PATH, Answer, gp_params

        timeout = self.get_connection(self.http_conn_id).extra_dejson.get("timeout", DEFAULT_TIMEOUT_S)
        try:
            response = self.run(
                endpoint=GP_PATH,
                data=gp_params(query, "json"),
                headers={"User-Agent": user_agent},
                extra_options={"check_response": False, "allow_redirects": False, "stream": True,
                               "timeout": float(timeout)},
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise CelestrakUnreachableError(self.base_url, exc) from None
        with response:
            body = _read_capped(response, max_body_bytes + 1)
        return Answer(url=response.url, status=response.status_code, body=body)


class CelestrakUnreachableError(ConnectionError):
    """CelesTrak (or what the ``celestrak`` connection points at) could not be reached."""

    def __init__(self, base_url: str, cause: Exception):
        import re

        text = str(cause)
        kind = ("its name does not resolve" if "resolution" in text or "Name or service" in text
                else "the request timed out" if "timed out" in text.lower()
                else "the connection was refused" if "refused" in text.lower() else "the connection failed")
        errno = re.search(r"\[Errno -?\d+\][^'\")]*", text)
        detail = f": {errno.group(0).strip()}" if errno else ""
        super().__init__(
            f"CelesTrak cannot be reached at {base_url} ({kind}{detail}). Past days need no CelesTrak: "
            f"import downloaded answers (make import FILES='data/snapshots/qianfan/qianfan_2025-*.tle' loads the "
            f"bundled week) and compute them (make pipeline DAY=2025-11-20, or a backfill). For live days, point "
            f"the 'celestrak' connection (AIRFLOW_CONN_CELESTRAK) at an address this machine reaches.")


def _read_capped(response, limit: int) -> bytes:
    """Return the first ``limit`` bytes of a streamed response body (all of it if shorter)."""
    body = bytearray()
    for chunk in response.iter_content(chunk_size=65536):
        body += chunk
        if len(body) >= limit:
            break
    return bytes(body[:limit])
