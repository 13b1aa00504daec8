"""The shared timer, mirrored by the server in ``meta.timer`` so every client counts down."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from .layout import META, root

TIMER_KEY = "timer"


def set_timer(doc: Doc[Any], ends_at: str, duration: int) -> None:
    """Start the timer: it ends at ``ends_at`` (ISO 8601, UTC), ``duration`` seconds long."""
    root(doc, META)[TIMER_KEY] = {"endsAt": ends_at, "duration": duration}


def clear_timer(doc: Doc[Any]) -> None:
    meta = root(doc, META)
    if TIMER_KEY in meta:
        del meta[TIMER_KEY]
