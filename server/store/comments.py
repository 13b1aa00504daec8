"""Comments on a board and each invite's visits: durable, held by the server.

Comments are talk about the board, not the board: they never enter its document, the update
log, snapshots or evidence. A thread is a first comment and its replies; only the first one
carries whether the thread is resolved. Both bounds (comments per board, comments per invite
per minute) are counted in the database, so they hold across instances and restarts (two
requests racing on different instances may each pass the last free place).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from server.core.errors import NotFound, TooManyRequests
from server.store.models import comments, updates, visits

RATE_WINDOW_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    board_id: str
    target_kind: str
    target_id: str
    parent_id: str | None
    invite_id: str
    author_name: str
    party: str | None
    text: str
    mentions: tuple[str, ...]
    created_at: float
    resolved_at: float | None
    resolved_by: str | None
    resolved_by_name: str | None

    @property
    def thread_id(self) -> str:
        return self.parent_id or self.id


@dataclass(frozen=True, slots=True)
class NewComment:
    """What a person writes; ``parent`` (a comment id) makes it a reply in that thread."""

    board_id: str
    target_kind: str
    target_id: str
    parent: str | None
    invite_id: str
    author_name: str
    party: str | None
    text: str
    mentions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Bounds:
    per_board: int
    per_invite_per_minute: int


@dataclass(frozen=True, slots=True)
class Visit:
    """An invite's latest opening of a board and the one before it (None the first time)."""

    last_at: float
    last_seq: int
    previous_at: float | None
    previous_seq: int | None


def _comment(row: Row[tuple[object, ...]]) -> Comment:
    data = dict(row._asdict())
    data["mentions"] = tuple(json.loads(str(data["mentions"])))
    return Comment(**data)


def thread_of(engine: Engine, board_id: str, parent: str) -> Comment:
    """The first comment of the thread ``parent`` belongs to; 404 unless on this board."""
    found = get(engine, parent)
    if found.board_id != board_id:
        raise NotFound(f"no comment with id {parent!r} on this board", field="parent")
    return found if found.parent_id is None else get(engine, found.parent_id)


def create(engine: Engine, new: NewComment, bounds: Bounds) -> Comment:
    """Store a comment, within the board's and the invite's bounds (429 past either)."""
    comment_id, now = secrets.token_hex(12), time.time()
    with engine.begin() as conn:
        _check_bounds(conn, new, bounds, now)
        conn.execute(
            insert(comments).values(
                id=comment_id,
                board_id=new.board_id,
                target_kind=new.target_kind,
                target_id=new.target_id,
                parent_id=new.parent,
                invite_id=new.invite_id,
                author_name=new.author_name,
                party=new.party,
                text=new.text,
                mentions=json.dumps(list(new.mentions)),
                created_at=now,
            )
        )
    return get(engine, comment_id)


def _check_bounds(conn: Connection, new: NewComment, bounds: Bounds, now: float) -> None:
    held = conn.execute(
        select(func.count()).select_from(comments).where(comments.c.board_id == new.board_id)
    ).scalar_one()
    if held >= bounds.per_board:
        raise TooManyRequests(
            f"this board holds {bounds.per_board} comments, the most it may hold",
            board=new.board_id,
        )
    recent = conn.execute(
        select(func.count())
        .select_from(comments)
        .where(
            comments.c.invite_id == new.invite_id,
            comments.c.created_at > now - RATE_WINDOW_SECONDS,
        )
    ).scalar_one()
    if recent >= bounds.per_invite_per_minute:
        raise TooManyRequests(
            f"this invite posted {bounds.per_invite_per_minute} comments in the last minute, "
            "the most it may; try again in a minute"
        )


def get(engine: Engine, comment_id: str) -> Comment:
    with engine.connect() as conn:
        row = conn.execute(select(comments).where(comments.c.id == comment_id)).first()
    if row is None:
        raise NotFound(f"no comment with id {comment_id!r}")
    return _comment(row)


def board_comments(
    engine: Engine,
    board_id: str,
    *,
    target: tuple[str | None, str | None] = (None, None),
    since: float | None = None,
) -> list[Comment]:
    """The board's comments oldest first, optionally about one kind or one thing, or made
    after ``since``."""
    query = select(comments).where(comments.c.board_id == board_id)
    kind, target_id = target
    if kind is not None:
        query = query.where(comments.c.target_kind == kind)
    if target_id is not None:
        query = query.where(comments.c.target_id == target_id)
    if since is not None:
        query = query.where(comments.c.created_at > since)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(comments.c.created_at, comments.c.id)).all()
    return [_comment(row) for row in rows]


def thread(engine: Engine, root_id: str) -> list[Comment]:
    """A thread's first comment, then its replies oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(comments)
            .where((comments.c.id == root_id) | (comments.c.parent_id == root_id))
            .order_by(comments.c.created_at, comments.c.id)
        ).all()
    found = [_comment(row) for row in rows]
    return sorted(found, key=lambda c: c.parent_id is not None)


def set_resolved(
    engine: Engine, root_id: str, resolved: bool, by: tuple[str | None, str | None]
) -> None:
    """Resolve (or reopen) a thread, recording who did (invite, name)."""
    values = (
        {"resolved_at": time.time(), "resolved_by": by[0], "resolved_by_name": by[1]}
        if resolved
        else {"resolved_at": None, "resolved_by": None, "resolved_by_name": None}
    )
    with engine.begin() as conn:
        conn.execute(update(comments).where(comments.c.id == root_id).values(**values))


# -- visits -----------------------------------------------------------------------------------


def last_seq(conn: Connection, board_id: str) -> int:
    found = conn.execute(
        select(func.max(updates.c.seq)).where(updates.c.board_id == board_id)
    ).scalar_one()
    return int(found or 0)


def record_visit(engine: Engine, visitor: str, board_id: str) -> Visit:
    """This opening becomes the latest visit, the latest one before it the previous."""
    try:
        _shift_visit(engine, visitor, board_id, time.time())
    except IntegrityError:  # the same invite's other tab inserted it first: shift that one
        _shift_visit(engine, visitor, board_id, time.time())
    found = visit(engine, visitor, board_id)
    assert found is not None
    return found


def _shift_visit(engine: Engine, visitor: str, board_id: str, now: float) -> None:
    with engine.begin() as conn:
        seq = last_seq(conn, board_id)
        key = (visits.c.invite_id == visitor) & (visits.c.board_id == board_id)
        done = conn.execute(
            update(visits)
            .where(key)
            .values(
                previous_at=visits.c.last_at,
                previous_seq=visits.c.last_seq,
                last_at=now,
                last_seq=seq,
            )
        ).rowcount
        if not done:
            conn.execute(
                insert(visits).values(
                    invite_id=visitor, board_id=board_id, last_at=now, last_seq=seq
                )
            )


def visit(engine: Engine, visitor: str, board_id: str) -> Visit | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(
                visits.c.last_at, visits.c.last_seq, visits.c.previous_at, visits.c.previous_seq
            ).where(visits.c.invite_id == visitor, visits.c.board_id == board_id)
        ).first()
    return None if row is None else Visit(*row)


def authors_between(
    engine: Engine, board_id: str, seqs: tuple[int, int], visitor: str, limit: int
) -> list[tuple[str | None, str | None]]:
    """Who (name, party) logged changes after ``seqs[0]`` up to ``seqs[1]``, other than the
    visitor's invite and the server itself: at most ``limit`` people."""
    query = (
        select(updates.c.author_name, updates.c.party)
        .where(
            updates.c.board_id == board_id,
            updates.c.seq > seqs[0],
            updates.c.seq <= seqs[1],
            updates.c.invite_id.is_not(None),
            updates.c.invite_id != visitor,
        )
        .distinct()
        .order_by(updates.c.author_name, updates.c.party)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [(row[0], row[1]) for row in conn.execute(query).all()]
