"""The shared timer, mirrored by the server in ``meta.timer`` so every client counts down."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from server.core.clock import iso, parse_iso

from .layout import META, root

TIMER_KEY = "timer"


def set_timer(doc: Doc[Any], ends_at: str, duration: int) -> None:
    """Start the timer: it ends at ``ends_at`` (ISO 8601, UTC), ``duration`` seconds long."""
    root(doc, META)[TIMER_KEY] = {"endsAt": ends_at, "duration": duration}


def clear_timer(doc: Doc[Any]) -> None:
    meta = root(doc, META)
    if TIMER_KEY in meta:
        del meta[TIMER_KEY]


def extended_timer(doc: Doc[Any], add: int, now: float) -> tuple[str, int] | None:
    """The end and duration of the timer given ``add`` more seconds: counted from its end, or
    from ``now`` once it has run out (« +1 min » after « Temps écoulé » gives one minute);
    None when no timer is set."""
    timer = root(doc, META).get(TIMER_KEY)
    if not isinstance(timer, dict):
        return None
    try:
        ends = parse_iso(str(timer.get("endsAt")))
        duration = int(timer.get("duration") or 0)
    except (TypeError, ValueError):
        return None
    return iso(max(ends, now) + add), duration + add
