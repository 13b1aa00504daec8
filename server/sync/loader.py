"""How a live board comes back: the store reads it, the room gets a rebuilt document.

The live layer names what it needs from storage (``StoredBoard``) and the wiring hands it a
reader; the store's ``catalog.stored_board`` returns exactly this shape.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pycrdt import Doc

from server.boards.document import doc_from_updates
from server.boards.upgrade import layout_upgrade


class StoredBoard(Protocol):
    """A board as storage keeps it: latest checkpoint, the updates after it, its settings."""

    @property
    def checkpoint(self) -> bytes | None: ...
    @property
    def tail(self) -> list[bytes]: ...
    @property
    def last_seq(self) -> int: ...
    @property
    def site_id(self) -> str | None: ...
    @property
    def locks(self) -> frozenset[str]: ...


@dataclass(frozen=True, slots=True)
class LoadedBoard:
    """What the loader returns: a document rebuilt from storage and the board's settings."""

    doc: Doc[Any]
    site_id: str | None
    locks: frozenset[str]
    updates_since_checkpoint: int
    last_seq: int
    size: int | None = None
    """The document's encoded size, measured where it was rebuilt (None: not measured)."""
    upgrade: bytes | None = None
    """The layout upgrade the room applies and logs once loaded (``boards.upgrade``); None
    when the board's layout is current."""


Loader = Callable[[str], Awaitable[LoadedBoard]]
RecentReader = Callable[[str, int, float], Awaitable[list[tuple[int, bytes]]]]
"""(board id, after seq, since time) -> logged (seq, update) to catch up with."""


def rebuild(stored: StoredBoard) -> LoadedBoard:
    """The document from the checkpoint and the tail; CPU-bound on long tails."""
    first = [] if stored.checkpoint is None else [stored.checkpoint]
    return LoadedBoard(
        doc_from_updates([*first, *stored.tail]),
        site_id=stored.site_id,
        locks=stored.locks,
        updates_since_checkpoint=len(stored.tail),
        last_seq=stored.last_seq,
    )


def in_thread(read: Callable[[str, int, float], list[tuple[int, bytes]]]) -> RecentReader:
    """A catch-up reader that queries the log in a worker thread."""

    async def recent(board_id: str, after_seq: int, since: float) -> list[tuple[int, bytes]]:
        return await asyncio.to_thread(read, board_id, after_seq, since)

    return recent


def make_loader(read: Callable[[str], StoredBoard]) -> Loader:
    """A loader that reads and rebuilds in a worker thread, off the event loop."""

    async def loader(board_id: str) -> LoadedBoard:
        return await asyncio.to_thread(_rebuilt_and_measured, read, board_id)

    return loader


def _rebuilt_and_measured(read: Callable[[str], StoredBoard], board_id: str) -> LoadedBoard:
    """In the worker thread: the room needs the document's size for its limit, and
    measuring it here keeps that encoding off the event loop and out of a second trip."""
    loaded = rebuild(read(board_id))
    upgrade = layout_upgrade(loaded.doc)
    return dataclasses.replace(loaded, size=len(loaded.doc.get_update()), upgrade=upgrade)
