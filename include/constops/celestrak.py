"""CelesTrak's GP API: the query, the usage policy, and reading its answers.

Policy (https://celestrak.org/NORAD/documentation/gp-data-formats.php and the
usage notes): data change at most every two hours; a repeated download of
unchanged data answers "GP data has not updated since your last successful
download" (HTTP 403, sometimes 200); an unknown query answers "No GP data
found". Clients must stop on such answers rather than retry, or they are
firewalled. This module makes no request itself: it builds the queries, spaces them
(:class:`RequestPacer`) and reads the answers; the Airflow hook that fetches makes one
request per query and never retries.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import CelestrakAnswerError

GP_PATH = "/NORAD/elements/gp.php"
#: Default User-Agent; deployments add their contact address through the settings.
USER_AGENT = "constops/0.1 (constellation operations pipeline; one request per group per run)"
_NOT_UPDATED = "GP data has not updated"
_NOT_FOUND = "No GP data found"



def gp_params(query: dict[str, str] | str, fmt: str = "json") -> dict[str, str]:
    """Return the query parameters of a GP request in one format: ``query`` is one selection
    (``{"GROUP": "qianfan"}``, ``{"CATNR": "37798"}``, ``{"NAME": "KAZSAT"}``) or a group name."""
    return {**({"GROUP": query} if isinstance(query, str) else query), "FORMAT": fmt}


def refuses_client(status: int, body: bytes) -> bool:
    """Return True when an answer refuses the client itself (HTTP 403 or 429 that is not the
    per-query "has not updated" notice): then no further request may be made in the run."""
    return status in (403, 429) and _NOT_UPDATED.lower() not in body[:400].decode("utf-8", "replace").lower()


class RequestPacer:
    """Spaces requests: :meth:`wait` returns once ``spacing_s`` seconds have passed since the
    previous request ended (:meth:`done`; at once the first time)."""

    def __init__(self, spacing_s: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.spacing_s, self._clock, self._sleep = float(spacing_s), clock, sleep
        self._last: float | None = None

    def wait(self) -> float:
        """Sleep until the spacing since the previous request's end has passed; return the
        seconds slept."""
        slept = 0.0
        if self._last is not None:
            slept = max(0.0, self._last + self.spacing_s - self._clock())
            if slept:
                self._sleep(slept)
        return slept

    def done(self) -> None:
        """Record that a request has just ended (answered or failed)."""
        self._last = self._clock()


def check_answer(url: str, status: int, body: bytes) -> None:
    """Raise CelestrakAnswerError naming ``url``, the status and what came back, unless
    the answer is a 200 that is not one of CelesTrak's notices."""
    head = body[:400].decode("utf-8", errors="replace")
    snippet = " ".join(head.split())[:160]
    if _NOT_UPDATED.lower() in head.lower():
        raise CelestrakAnswerError(
            f"{url}: CelesTrak answered HTTP {status} 'GP data has not updated since your last "
            f"successful download' ({snippet!r}); not retrying, as CelesTrak's policy requires",
            source=url, http_status=status, not_updated=True,
        )
    if _NOT_FOUND.lower() in head.lower():
        raise CelestrakAnswerError(f"{url}: CelesTrak answered HTTP {status} 'No GP data found': unknown group or query")
    if status != 200:
        raise CelestrakAnswerError(f"{url}: CelesTrak answered HTTP {status} ({len(body)} bytes: {snippet!r}); not retrying")
