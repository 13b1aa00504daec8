"""Replay: a board's state at any point of its log, and its timeline in workshop words.

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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc

from server.archive.attribution import Author
from server.boards.captions import Actor
from server.boards.diff import ChangeJson, diff
from server.boards.labels import Localized, loc
from server.boards.projection import Projection, TrackedProjection, project
from server.core.auth import FACILITATION
from server.core.clock import iso
from server.store import timeline
from server.store.db import Engine
from server.store.log import StoredEntry

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
GROUP_GAP_SECONDS = 5.0
"""Consecutive updates by one person closer than this read as one step (typing, dragging)."""
GROUP_SPAN_SECONDS = 60.0
"""…as long as the step lasts no longer than this."""
HISTORY_CHUNK = 2000
"""Most updates read at once for a timeline page…"""
HISTORY_FIRST_CHUNK_PER_STEP = 8
"""…and updates first read per step asked for (a step is a few updates, typing a word a few
more): reading far past the page costs more than a second, larger read."""


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


# -- the timeline ---------------------------------------------------------------------------

BOARD_CREATED: Localized = loc("Tableau créé", "Board created")
NO_VISIBLE_CHANGE: Localized = loc(
    "Modification sans effet visible", "Change with no visible effect"
)


@dataclass
class Step:
    """Consecutive updates by one author that a person sees as one step."""

    author: Author
    entries: list[StoredEntry]

    def takes(self, entry: StoredEntry) -> bool:
        """A person's updates close together; the server's (board creation, a lock, an
        unlock, the timer) are each an act of their own, so a lock lifted a second later
        reads as locked, then unlocked."""
        first, last = self.entries[0], self.entries[-1]
        return (
            self.author.to_json() is not None
            and Author.of(entry) == self.author
            and entry.created_at - last.created_at <= GROUP_GAP_SECONDS
            and entry.created_at - first.created_at <= GROUP_SPAN_SECONDS
        )


def steps(entries: list[StoredEntry]) -> Iterator[Step]:
    current: Step | None = None
    for entry in entries:
        if current is not None and current.takes(entry):
            current.entries.append(entry)
            continue
        if current is not None:
            yield current
        current = Step(Author.of(entry), [entry])
    if current is not None:
        yield current


def history(engine: Engine, board_id: str, *, from_seq: int, limit: int) -> dict[str, Any]:
    """Timeline entries from ``from_seq`` on: at most ``limit`` steps, each with its changes
    captioned in workshop words. ``next_from_seq`` continues the timeline (None at its end)."""
    start = state_at(engine, board_id, seq=from_seq - 1)
    found = _steps_from(engine, board_id, from_seq, limit)
    tracked = TrackedProjection(start.doc if start is not None else Doc())
    before = tracked.project() if start is not None else None
    entries = []
    try:
        for step in found[:limit]:
            changes, after = _step_changes(step, tracked, before)
            entries.append(_entry_json(step, before, changes))
            before = after
    finally:
        tracked.close()
    following = found[limit].entries[0].seq if len(found) > limit else None
    return {
        "board": board_id,
        "from_seq": from_seq,
        "next_from_seq": following,
        "entries": entries,
    }


def _steps_from(engine: Engine, board_id: str, from_seq: int, limit: int) -> list[Step]:
    """At least ``limit + 1`` steps when the log has them: the last one only tells that more
    follow. A step is complete once the next update falls outside it."""
    read: list[StoredEntry] = []
    after = from_seq - 1
    size = min(HISTORY_CHUNK, HISTORY_FIRST_CHUNK_PER_STEP * (limit + 2))
    while True:
        chunk = timeline.entries(engine, board_id, after_seq=after, limit=size)
        read.extend(chunk)
        found = list(steps(read))
        if len(chunk) < size or len(found) > limit + 1:
            return found
        after = chunk[-1].seq
        size = min(HISTORY_CHUNK, size * 2)


def _step_changes(
    step: Step, tracked: TrackedProjection, before: Projection | None
) -> tuple[list[ChangeJson], Projection]:
    """Apply the step to the tracked document (in one transaction, so its roots are read
    again once): what it changed in all, and the projection after it."""
    doc = tracked.doc
    with doc.transaction():
        for entry in step.entries:
            doc.apply_update(entry.data)
    after = tracked.project()
    if before is None:
        return [], after
    actor = Actor(step.author.name, step.author.party) if step.author.to_json() else None
    return [change.to_json() for change in diff(before, after, actor)], after


def _on_behalf(changes: list[ChangeJson]) -> dict[str, str | None] | None:
    """Who the server acted for: the one person its lock changes name, if any (an unlock
    names nobody). Facilitators speak for facilitation."""
    people = {
        (lock.get("by"), lock.get("name"))
        for change in changes
        if change["kind"] == "zone_locked" and isinstance(lock := change["after"], dict)
    }
    if len(people) != 1:
        return None
    invite, name = next(iter(people))
    if not name:
        return None
    return {"invite_id": invite, "name": name, "party": FACILITATION}


def _entry_json(step: Step, before: Projection | None, changes: list[ChangeJson]) -> dict[str, Any]:
    first, last = step.entries[0], step.entries[-1]
    captions = [change["caption"] for change in changes]
    summary = BOARD_CREATED if before is None else (captions[0] if captions else NO_VISIBLE_CHANGE)
    return {
        "seq": last.seq,
        "first_seq": first.seq,
        "updates": len(step.entries),
        "at": iso(first.created_at),
        "until": iso(last.created_at),
        "author": step.author.to_json() or _on_behalf(changes),
        "caption": summary,
        "captions": captions,
        "changes": changes,
    }


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
