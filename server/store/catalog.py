"""Boards and invites: the small, rarely-written part of the database."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from server.auth import Grant, Role, hash_token, mint_token
from server.errors import Conflict, Forbidden, NotFound, Unauthenticated
from server.store import log
from server.store.log import LogEntry
from server.store.models import boards, invites


@dataclass(frozen=True, slots=True)
class Board:
    id: str
    title: str
    template: str
    site_id: str | None
    locked: bool
    created_at: float


@dataclass(frozen=True, slots=True)
class Invite:
    id: str
    board_id: str | None
    site_id: str | None
    role: Role
    label: str | None
    created_at: float
    expires_at: float | None
    revoked_at: float | None


def create_board(engine: Engine, board_id: str, title: str, template: str, seed: bytes) -> Board:
    """Create the board and log its template layout as update #1, in one transaction."""
    board = Board(board_id, title, template, None, False, time.time())
    first = LogEntry(board_id, board.created_at, None, None, None, seed)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(boards).values(
                    id=board.id,
                    title=board.title,
                    template=board.template,
                    site_id=None,
                    locked=False,
                    created_at=board.created_at,
                )
            )
            log.append(conn, [first], [None])
    except IntegrityError as exc:
        raise Conflict(f"a board with id {board_id!r} already exists", board=board_id) from exc
    return board


def get_board(engine: Engine, board_id: str) -> Board | None:
    with engine.connect() as conn:
        row = conn.execute(select(boards).where(boards.c.id == board_id)).first()
    return None if row is None else Board(**row._asdict())


def require_board(engine: Engine, board_id: str) -> Board:
    board = get_board(engine, board_id)
    if board is None:
        raise NotFound(f"no board with id {board_id!r}", board=board_id)
    return board


def set_locked(engine: Engine, board_id: str, locked: bool) -> None:
    with engine.begin() as conn:
        conn.execute(update(boards).where(boards.c.id == board_id).values(locked=locked))


def create_invite(
    engine: Engine,
    *,
    board_id: str | None,
    site_id: str | None,
    role: Role,
    label: str | None,
    expires_in: float | None,
) -> tuple[Invite, str]:
    """A new invite and its token; only the token's hash is stored."""
    now = time.time()
    token = mint_token()
    invite = Invite(
        id=secrets.token_hex(8),
        board_id=board_id,
        site_id=site_id,
        role=role,
        label=label,
        created_at=now,
        expires_at=None if expires_in is None else now + expires_in,
        revoked_at=None,
    )
    with engine.begin() as conn:
        conn.execute(
            insert(invites).values(
                id=invite.id,
                token_hash=hash_token(token),
                board_id=board_id,
                site_id=site_id,
                role=role.value,
                label=label,
                created_at=invite.created_at,
                expires_at=invite.expires_at,
                revoked_at=None,
            )
        )
    return invite, token


def _invite(row: object) -> Invite:
    data = dict(row._asdict())  # type: ignore[attr-defined]
    data.pop("token_hash", None)
    data["role"] = Role(data["role"])
    return Invite(**data)


def get_invite(engine: Engine, invite_id: str) -> Invite | None:
    with engine.connect() as conn:
        row = conn.execute(select(invites).where(invites.c.id == invite_id)).first()
    return None if row is None else _invite(row)


def revoke_invite(engine: Engine, invite_id: str) -> Invite:
    with engine.begin() as conn:
        conn.execute(
            update(invites)
            .where(invites.c.id == invite_id, invites.c.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
        row = conn.execute(select(invites).where(invites.c.id == invite_id)).first()
    if row is None:
        raise NotFound(f"no invite with id {invite_id!r}")
    return _invite(row)


def verify_token(engine: Engine, token: str, now: float | None = None) -> Grant:
    """The grant a token carries, or the reason it carries none."""
    if not token:
        raise Unauthenticated("a token is required (query parameter 'token' or Bearer header)")
    with engine.connect() as conn:
        row = conn.execute(select(invites).where(invites.c.token_hash == hash_token(token))).first()
    if row is None:
        raise Unauthenticated("unknown token")
    invite = _invite(row)
    if invite.revoked_at is not None:
        raise Forbidden("this invite has been revoked")
    grant = Grant(invite.id, invite.role, invite.board_id, invite.site_id, invite.expires_at)
    if grant.expired(time.time() if now is None else now):
        raise Unauthenticated("this invite has expired")
    return grant
