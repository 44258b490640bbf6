"""The pipeline's notion of "now" (UTC), which a replay or a demo may set."""

from __future__ import annotations

import os
from datetime import datetime, timezone

#: Environment variable that pins "now" to an ISO-8601 UTC instant, for replaying
#: recorded CelesTrak payloads (tests, demos). Unset in production.
CLOCK_ENV = "CONSTOPS_CLOCK_UTC"


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime, or the instant in ``CONSTOPS_CLOCK_UTC``."""
    pinned = os.environ.get(CLOCK_ENV)
    if not pinned:
        return datetime.now(timezone.utc)
    try:
        return parse_utc(pinned)
    except ValueError:
        raise ValueError(f"{CLOCK_ENV}={pinned!r} is not an ISO-8601 time") from None


def parse_utc(text: str) -> datetime:
    """Return the aware UTC datetime of an ISO-8601 string (``Z`` accepted; no zone means UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
