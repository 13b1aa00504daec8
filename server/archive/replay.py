"""Replay: a board's state at any point of its log (its timeline is ``archive.history``).

Everything here is rebuilt from the durable update log alone, never from a live room (whose
document may hold changes not yet committed). Random access starts from the nearest *replay
checkpoint* at or before the point and applies the tail of the log after it. Replay checkpoints
are full states built from the log itself, stored compressed beside it as the log is read (the
first lookup past the last one builds the missing ones). Their spacing grows with the state's
size, so their compressed storage stays within two to three times the log's, and is capped, so
the tail to replay stays short. The log itself is never squashed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc

from server.boards.projection import Projection, project
from server.core.clock import iso
from server.store import timeline
from server.store.db import Engine

REPLAY_MIN_UPDATES = 1000
"""Fewest updates between two replay checkpoints…"""
REPLAY_STATE_FRACTION = 8
"""…and at least 1/this of the previous checkpoint's (uncompressed) state size in replayed
update bytes, so that replaying a tail never costs much more than loading a state…"""
REPLAY_MAX_UPDATES = 4000
"""…but never more updates than this between two checkpoints."""
SETTLE_SECONDS = 30.0
"""Only updates older than this get a replay checkpoint: with several writers (PostgreSQL), a
lower sequence number may still be committing just after a higher one becomes visible."""


@dataclass
class Point:
    """The board as it was just after update ``seq`` (logged at ``at``)."""

    board_id: str
    seq: int
    at: float
    doc: Doc[Any]

    @property
    def state(self) -> bytes:
        """The full Yjs state (update v1 encoding)."""
        return self.doc.get_update()

    def projection(self) -> Projection:
        return project(self.doc)


def state_at(
    engine: Engine, board_id: str, *, seq: int | None = None, at: float | None = None
) -> Point | None:
    """The board after its last update at or before ``seq`` and ``at`` (both optional: the
    latest). None when the board had no update by then. Blocking: run it in a thread."""
    start = timeline.replay_start(engine, board_id, upto_seq=seq, upto_time=at)
    if start is None:
        return None
    base, tail = start.base, start.tail
    doc: Doc[Any] = Doc()
    builder = _Checkpoints(base)
    if base is not None:
        doc.apply_update(base.state)
    for entry in tail:
        doc.apply_update(entry.data)
        builder.after(entry, doc)
    if builder.pending:
        timeline.save_replay_checkpoints(engine, board_id, builder.pending)
    return Point(board_id, start.target.seq, start.target.at, doc)


@dataclass
class _Checkpoints:
    """Decides where, along a replayed tail, a new replay checkpoint is worth keeping."""

    base: timeline.ReplayCheckpoint | None
    pending: list[tuple[int, bytes]] = field(default_factory=list)
    settled_before: float = field(default_factory=lambda: time.time() - SETTLE_SECONDS)
    _updates: int = 0
    _bytes: int = 0
    _state_bytes: int = 0

    def __post_init__(self) -> None:
        self._state_bytes = len(self.base.state) if self.base else 0

    def after(self, entry: timeline.Logged, doc: Doc[Any]) -> None:
        self._updates += 1
        self._bytes += len(entry.data)
        due = self._updates >= REPLAY_MAX_UPDATES or (
            self._updates >= REPLAY_MIN_UPDATES
            and self._bytes * REPLAY_STATE_FRACTION >= self._state_bytes
        )
        if due and entry.created_at < self.settled_before:
            state = doc.get_update()
            self.pending.append((entry.seq, state))
            self._updates, self._bytes, self._state_bytes = 0, 0, len(state)


def state_reply(
    engine: Engine, board_id: str, seq: int, at: float | None, binary: bool
) -> tuple[Point, bytes] | None:
    """The point and the body that answers for it (the Yjs state, or the projection as JSON),
    computed in one trip to a worker thread. None when the board had no update by then."""
    point = state_at(engine, board_id, seq=seq, at=at)
    if point is None:
        return None
    if binary:
        return point, point.state
    data = {"board": board_id, "seq": point.seq, "at": iso(point.at)}
    data["projection"] = point.projection()
    return point, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
