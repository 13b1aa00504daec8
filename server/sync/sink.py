"""What a room hands on: accepted updates to make durable, durable ones to publish.

These types belong to the live layer; the store's log writer and the fan-out implement them,
so a room never knows which database or broker is behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One accepted update, attributed to the invite that sent it (None: the server)."""

    board_id: str
    created_at: float
    invite_id: str | None
    author_name: str | None
    party: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class Author:
    """Who a change the server writes on someone's behalf is attributed to (a revealed
    private answer is its author's, not the server's)."""

    invite_id: str | None
    name: str | None
    party: str | None


class UpdateSink(Protocol):
    """Where accepted changes go to become durable (the log writer)."""

    def has_capacity(self) -> bool: ...

    def submit(
        self, entry: LogEntry, on_durable: Callable[[int], None], checkpoint: bytes | None = None
    ) -> None: ...


class Publisher(Protocol):
    """Where durable changes and presence go for the other server instances."""

    def publish_update(self, board_id: str, update: bytes) -> None: ...
    def publish_awareness(self, board_id: str, frame: bytes) -> None: ...
