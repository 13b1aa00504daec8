"""The text a party approved, found again in the log by its hash.

An approval of an agreement section carries only the SHA-256 of the text it approved; the
live document keeps no older text. So that a party can see what changed since it approved,
the log is replayed, from a little before the approval's time when it is given (then from
the start if that finds nothing), and the first state whose section text has that hash is
the one approved: equal hashes are equal texts, so the first is as good as any.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map, Text

from server.archive import replay
from server.boards.agreement import text_hash
from server.store import timeline
from server.store.db import Engine

PAGE = 500
"""Log entries read per query while scanning."""
BEFORE_SECONDS = 600.0
"""How far before the approval's time the scan starts: its time is the approving browser's
clock, which may run a little ahead of the server's."""


@dataclass(frozen=True, slots=True)
class Approved:
    """The approved text, and the log position and time where the board first held it."""

    text: str
    seq: int
    at: float


def approved_text(
    engine: Engine, board_id: str, section_id: str, digest: str, near: float | None
) -> Approved | None:
    """The section's text whose hash is ``digest``, or None when the log never held it.
    Blocking: run it in a thread."""
    starts: list[float | None] = [None] if near is None else [near - BEFORE_SECONDS, None]
    for start in starts:
        found = _scan(engine, board_id, section_id, digest, start)
        if found is not None:
            return found
    return None


def _scan(
    engine: Engine, board_id: str, section_id: str, digest: str, start: float | None
) -> Approved | None:
    doc: Doc[Any] = Doc()
    after = 0
    if start is not None:
        point = replay.state_at(engine, board_id, at=start)
        if point is not None:
            doc, after = point.doc, point.seq
            text = _section_text(doc, section_id)
            if text is not None and text_hash(text) == digest:
                return Approved(text, point.seq, point.at)
    while True:
        page = timeline.entries(engine, board_id, after_seq=after, limit=PAGE)
        for entry in page:
            doc.apply_update(entry.data)
            text = _section_text(doc, section_id)
            if text is not None and text_hash(text) == digest:
                return Approved(text, entry.seq, entry.created_at)
        if len(page) < PAGE:
            return None
        after = page[-1].seq


def _section_text(doc: Doc[Any], section_id: str) -> str | None:
    agreement: Map[Any] = doc.get("agreement", type=Map)
    section = agreement.get(section_id)
    if not isinstance(section, Map):
        return None
    text = section.get("text")
    return str(text) if isinstance(text, Text) else None
