"""The one time format of the API, exports and hashed headers: ISO 8601, UTC, ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(ts: float) -> str:
    """Unix time -> ``2026-11-28T10:00:00.000000Z`` (always microseconds, so it sorts)."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_iso(raw: str) -> float:
    """ISO 8601 -> Unix time; a time without an offset is read as UTC. Raises ValueError."""
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (OverflowError, OSError) as exc:
        raise ValueError(str(exc)) from exc
