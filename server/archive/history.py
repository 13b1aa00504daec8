"""The timeline: a board's log in workshop words, step by step, and its steps built ahead.

A step is what a person sees as one act: consecutive updates by one author, close together.
Its entry names the author and captions what changed (``boards.diff``), which costs replaying
the log up to it and projecting the board after every step: about a millisecond per step on a
long board. So the steps are built ahead, in the background (``ReplayAhead``), and stored;
a history page then reads them and replays only the steps past them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import takewhile
from typing import Any

from pycrdt import Doc

from server.archive import replay
from server.archive.attribution import Author
from server.boards.captions import Actor
from server.boards.diff import ChangeJson, diff
from server.boards.labels import Localized, loc
from server.boards.projection import Projection, TrackedProjection
from server.core.auth import FACILITATION
from server.core.clock import iso
from server.store import timeline
from server.store.db import Engine
from server.store.log import StoredEntry

GROUP_GAP_SECONDS = 5.0
"""Consecutive updates by one person closer than this read as one step (typing, dragging)."""
GROUP_SPAN_SECONDS = 60.0
"""…as long as the step lasts no longer than this."""
HISTORY_CHUNK = 2000
"""Most updates read at once for a timeline page…"""
HISTORY_FIRST_CHUNK_PER_STEP = 8
"""…and updates first read per step asked for (a step is a few updates, typing a word a few
more): reading far past the page costs more than a second, larger read."""
TIMELINE_FORMAT = 1
"""The version of the stored steps' entries: raise it whenever a caption, a change's JSON or
the grouping into steps changes, so that stored steps are rebuilt rather than served stale."""

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
    captioned in workshop words. ``next_from_seq`` continues the timeline (None at its end).

    From a step's start (what ``next_from_seq`` always gives) the steps built ahead are read
    as stored, and only those past them are replayed; the page is the same either way, since
    steps are grouped from left to right and a step's start is where any grouping resumes."""
    stored = timeline.stored_steps(
        engine, board_id, from_seq=from_seq, limit=limit + 1, format=TIMELINE_FORMAT
    )
    if not stored:
        return _replayed(engine, board_id, from_seq=from_seq, limit=limit)
    entries = [json.loads(step.entry) for step in stored[:limit]]
    following: int | None
    if len(stored) > limit:
        following = stored[limit].first_seq
    elif len(stored) == limit:
        after = timeline.entries(engine, board_id, after_seq=stored[-1].last_seq, limit=1)
        following = after[0].seq if after else None
    else:
        rest = _replayed(
            engine, board_id, from_seq=stored[-1].last_seq + 1, limit=limit - len(stored)
        )
        entries.extend(rest["entries"])
        following = rest["next_from_seq"]
    return _page(board_id, from_seq, following, entries)


def _replayed(engine: Engine, board_id: str, *, from_seq: int, limit: int) -> dict[str, Any]:
    """The page replayed from the log: the state before it, then each step applied."""
    start = replay.state_at(engine, board_id, seq=from_seq - 1)
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
    return _page(board_id, from_seq, following, entries)


def _page(
    board_id: str, from_seq: int, following: int | None, entries: list[dict[str, Any]]
) -> dict[str, Any]:
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


# -- steps built ahead ---------------------------------------------------------------------


def build_steps(
    engine: Engine, board_id: str, *, settle_seconds: float = replay.SETTLE_SECONDS
) -> int:
    """Store the board's steps past those already stored, as far as its settled updates go;
    returns how many were stored. A step is stored once an update outside it follows, so
    that no later update can join it. Blocking: run it in a thread.

    Each chunk of the log read is stored in its own transaction, so that an interrupted build
    keeps what it did; a concurrent builder that stored first ends this one."""
    timeline.forget_steps_of_other_formats(engine, board_id, format=TIMELINE_FORMAT)
    end = timeline.last_stored_step_end(engine, board_id, format=TIMELINE_FORMAT)
    start = replay.state_at(engine, board_id, seq=end) if end is not None else None
    tracked = TrackedProjection(start.doc if start is not None else Doc())
    before = tracked.project() if start is not None else None
    settled_before = time.time() - settle_seconds
    after_seq, pending, stored = end or 0, list[StoredEntry](), 0
    try:
        while True:
            chunk = timeline.entries(engine, board_id, after_seq=after_seq, limit=HISTORY_CHUNK)
            settled = list(takewhile(lambda entry: entry.created_at < settled_before, chunk))
            found = list(steps(pending + settled))
            pending = found.pop().entries if found else []
            built = []
            for step in found:
                changes, after = _step_changes(step, tracked, before)
                entry = json.dumps(_entry_json(step, before, changes), ensure_ascii=False)
                first, last = step.entries[0].seq, step.entries[-1].seq
                built.append(timeline.StoredStep(first, last, entry.encode("utf-8")))
                before = after
            if built and not timeline.save_steps(engine, board_id, built, format=TIMELINE_FORMAT):
                return stored
            stored += len(built)
            if len(settled) < HISTORY_CHUNK:
                return stored
            after_seq = chunk[-1].seq
    finally:
        tracked.close()
