"""A board's Yjs document as bytes and back, and the one guard around the CRDT engine.

pycrdt surfaces a Rust panic as a ``BaseException`` (``pyo3_runtime.PanicException``), so a
plain ``except Exception`` lets hostile bytes unwind through a room or a request. Every place
that hands outside bytes to the engine goes through ``engine_guard``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from pycrdt import Doc, MapEvent

from .layout import seed_board


class EngineError(ValueError):
    """The CRDT engine refused the bytes it was given (not a valid update or state)."""


@contextmanager
def engine_guard(what: str, error: type[Exception] = EngineError) -> Iterator[None]:
    """Turn anything the engine raises into ``error(f"{what}: …")``; real interrupts, task
    cancellation and generator closing still propagate."""
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit, asyncio.CancelledError):
        raise
    except BaseException as exc:
        raise error(f"{what}: {exc}") from exc


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
