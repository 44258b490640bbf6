"""CelesTrak's GP API: the query, the usage policy, and reading its answers.

Policy (https://celestrak.org/NORAD/documentation/gp-data-formats.php and the
usage notes): data change at most every two hours; a repeated download of
unchanged data answers "GP data has not updated since your last successful
download" (HTTP 403, sometimes 200); an unknown query answers "No GP data
found". Clients must stop on such answers rather than retry, or they are
firewalled. So this module makes exactly one request and never retries.
"""

from __future__ import annotations

GP_PATH = "/NORAD/elements/gp.php"
#: Default User-Agent; deployments add their contact address through the settings.
USER_AGENT = "constops/0.1 (constellation operations pipeline; one request per group per run)"
_NOT_UPDATED = "GP data has not updated"
_NOT_FOUND = "No GP data found"


class CelestrakAnswerError(RuntimeError):
    """CelesTrak answered, but not with element data. Never retry automatically."""


def gp_params(group: str, fmt: str = "json") -> dict[str, str]:
    """Return the query parameters of a GP request for one group in one format."""
    return {"GROUP": group, "FORMAT": fmt}


def check_answer(url: str, status: int, body: bytes) -> None:
    """Raise CelestrakAnswerError naming ``url``, the status and what came back, unless
    the answer is a 200 that is not one of CelesTrak's notices."""
    head = body[:400].decode("utf-8", errors="replace")
    snippet = " ".join(head.split())[:160]
    if _NOT_UPDATED.lower() in head.lower():
        raise CelestrakAnswerError(
            f"{url}: CelesTrak answered HTTP {status} 'GP data has not updated since your last "
            f"successful download' ({snippet!r}); not retrying, as CelesTrak's policy requires"
        )
    if _NOT_FOUND.lower() in head.lower():
        raise CelestrakAnswerError(f"{url}: CelesTrak answered HTTP {status} 'No GP data found': unknown group or query")
    if status != 200:
        raise CelestrakAnswerError(f"{url}: CelesTrak answered HTTP {status} ({len(body)} bytes: {snippet!r}); not retrying")
