"""A board's Yjs document as bytes and back, and the one guard around the CRDT engine.

pycrdt surfaces a Rust panic as a ``BaseException`` (``pyo3_runtime.PanicException``), so a
plain ``except Exception`` lets hostile bytes unwind through a room or a request. Every place
that hands outside bytes to the engine goes through ``engine_guard``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from pycrdt import Doc, MapEvent

from .layout import seed_board


class EngineError(ValueError):
    """The CRDT engine refused the bytes it was given (not a valid update or state)."""


PROPAGATED = (KeyboardInterrupt, SystemExit, GeneratorExit, asyncio.CancelledError)


class engine_guard:  # lower case: used as a function, ``with engine_guard("…"):``
    """Turn anything the engine raises into ``error(f"{what}: …")``; real interrupts, task
    cancellation and generator closing still propagate.

    A class rather than a ``contextmanager`` generator: it guards every edit twice (the zone
    check and the apply), and a generator's context costs 1.6 µs a use against 0.25."""

    __slots__ = ("_error", "_what")

    def __init__(self, what: str, error: type[Exception] = EngineError) -> None:
        self._what = what
        self._error = error

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is not None and not isinstance(exc, PROPAGATED):
            raise self._error(f"{self._what}: {exc}") from exc


def doc_from_updates(updates: Iterable[bytes]) -> Doc[Any]:
    """A document holding every update in order (a state is one update)."""
    doc: Doc[Any] = Doc()
    with engine_guard("not a Yjs update the engine accepts"):
        for update in updates:
            doc.apply_update(update)
    return doc


def seed_update(template: str, title: str) -> bytes:
    """The first logged update of a new board: its template layout."""
    doc: Doc[Any] = Doc()
    seed_board(doc, template, title)
    return doc.get_update()


def changed_keys(event: object) -> dict[str, dict[str, Any]]:
    """The keys a map event changed, ``{key: {"action": "add"|"update"|"delete", ...}}``;
    empty for any other event."""
    if not isinstance(event, MapEvent):
        return {}
    keys: dict[str, dict[str, Any]] = getattr(event, "keys", {})
    return keys
