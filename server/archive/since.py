"""« Depuis votre dernière visite »: what changed on a board between two visits of one invite.

Most of a site's work happens between coached hours, so a person opening the board needs the
new comments (those mentioning their party first) and what was changed. The changes are the
difference between the board at the previous visit and at this one (two replays from the
log's checkpoints, one diff), captioned like the session diff; the answer holds at most
``MAX_CHANGES`` captions and ``MAX_COMMENTS`` comments, with their totals, so it stays cheap
however long the absence was.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.archive import replay
from server.boards.diff import ChangeJson, diff
from server.store import comments
from server.store.comments import Comment, Visit
from server.store.db import Engine

MAX_CHANGES = 30
"""Most change captions one answer lists (``changes_total`` counts them all)."""
MAX_COMMENTS = 50
"""Most comments one answer lists (``comments_total`` counts them all)."""
MAX_AUTHORS = 12
"""Most people named as having changed the board since."""
SKIPPED_KINDS = frozenset({"note_repositioned"})
"""Changes too small to report after an absence (a note nudged within its level)."""


@dataclass(frozen=True, slots=True)
class SinceLastVisit:
    visit: Visit | None
    comments: list[Comment]
    comments_total: int
    changes: list[ChangeJson]
    changes_total: int
    authors: list[tuple[str | None, str | None]]


def since_last_visit(
    engine: Engine, board_id: str, visitor: str, party: str | None
) -> SinceLastVisit:
    """What is new for ``visitor`` (an invite id) since its previous visit: others' comments
    (mentions of ``party`` first) and the board's changes. Before any previous visit: the
    open threads mentioning ``party``, and no changes. Blocking: replays the log."""
    found = comments.visit(engine, visitor, board_id)
    if found is None or found.previous_at is None or found.previous_seq is None:
        listed = [
            c
            for c in comments.board_comments(engine, board_id)
            if party and party in c.mentions and c.invite_id != visitor and c.resolved_at is None
        ]
        return SinceLastVisit(found, listed[:MAX_COMMENTS], len(listed), [], 0, [])
    new = [
        c
        for c in comments.board_comments(engine, board_id, since=found.previous_at)
        if c.invite_id != visitor
    ]
    new.sort(key=lambda c: not (party and party in c.mentions))
    changes = board_changes(engine, board_id, found.previous_seq, found.last_seq)
    authors = comments.authors_between(
        engine, board_id, (found.previous_seq, found.last_seq), visitor, MAX_AUTHORS
    )
    return SinceLastVisit(
        found, new[:MAX_COMMENTS], len(new), changes[:MAX_CHANGES], len(changes), authors
    )


def board_changes(engine: Engine, board_id: str, from_seq: int, upto_seq: int) -> list[ChangeJson]:
    """The changes from the board after update ``from_seq`` to after ``upto_seq``."""
    if upto_seq <= from_seq:
        return []
    before = replay.state_at(engine, board_id, seq=from_seq)
    after = replay.state_at(engine, board_id, seq=upto_seq)
    if before is None or after is None:
        return []
    return [
        change.to_json()
        for change in diff(before.projection(), after.projection())
        if change.kind not in SKIPPED_KINDS
    ]
