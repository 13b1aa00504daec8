"""Process-wide counters for ``/metrics``: plain integers, bumped on the hot path."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Counters:
    frames_in: int = 0
    bytes_in: int = 0
    updates_in: int = 0
    """Updates accepted into a board (each one is logged)."""
    frames_out: int = 0
    bytes_out: int = 0
    refused_writes: int = 0
    closes: Counter[int] = field(default_factory=Counter)
    """Close codes sent by the server, by code."""


counters = Counters()
