"""The one time format of the API, exports and hashed headers: ISO 8601, UTC, ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(ts: float) -> str:
    """Unix time -> ``2026-11-28T10:00:00.000000Z`` (always microseconds, so it sorts)."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_iso(raw: str) -> float:
    """ISO 8601 -> Unix time; a time without an offset is read as UTC. Raises ValueError,
    also for a moment whose UTC date leaves the years 1 to 9999 (``9999-12-31T23:59:59-23:59``
    parses, but ``iso`` could not write it back)."""
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        ts = moment.timestamp()
        datetime.fromtimestamp(ts, UTC)
    except (OverflowError, OSError) as exc:
        raise ValueError(str(exc)) from exc
    return ts
