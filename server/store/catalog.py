"""Boards and invites: the small, rarely-written part of the database."""

from __future__ import annotations

import dataclasses
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from server.core.auth import Grant, Role, hash_token, mint_token, party_of
from server.core.errors import Conflict, Forbidden, NotFound, Unauthenticated
from server.store import log
from server.store.models import boards, invites, locks, sites

DEFAULT_COACHING_HOURS = 10.0
"""The programme's « 10h d'accompagnement par site »."""


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    title: str
    created_at: float
    coaching_hours: float = DEFAULT_COACHING_HOURS


@dataclass(frozen=True, slots=True)
class Board:
    id: str
    title: str
    template: str
    site_id: str | None
    created_at: float
    locks: frozenset[str] = frozenset()
    """Locked zones; ``board`` locks everything for non-facilitators."""


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
    party: str | None = None
    """The trinôme party of a participant invite (None for facilitators and observers, and
    for participant invites made before parties were recorded)."""
    created_by: str | None = None
    """The facilitator invite that created this one; None when the operator did."""

    @property
    def speaks_for(self) -> str | None:
        return party_of(self.role, self.party)


def create_site(
    engine: Engine, site_id: str, title: str, coaching_hours: float = DEFAULT_COACHING_HOURS
) -> Site:
    site = Site(site_id, title, time.time(), coaching_hours)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(sites).values(
                    id=site.id,
                    title=title,
                    created_at=site.created_at,
                    coaching_hours=coaching_hours,
                )
            )
    except IntegrityError as exc:
        raise Conflict(f"a site with id {site_id!r} already exists", site=site_id) from exc
    return site


def update_site(
    engine: Engine, site_id: str, *, title: str | None, coaching_hours: float | None
) -> Site:
    """Rename a site or change its coaching budget."""
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = title
    if coaching_hours is not None:
        changes["coaching_hours"] = coaching_hours
    if changes:
        with engine.begin() as conn:
            conn.execute(update(sites).where(sites.c.id == site_id).values(**changes))
    return require_site(engine, site_id)


def list_sites(engine: Engine) -> list[Site]:
    with engine.connect() as conn:
        rows = conn.execute(select(sites).order_by(sites.c.created_at, sites.c.id)).all()
    return [Site(**row._asdict()) for row in rows]


def require_site(engine: Engine, site_id: str) -> Site:
    with engine.connect() as conn:
        row = conn.execute(select(sites).where(sites.c.id == site_id)).first()
    if row is None:
        raise NotFound(f"no site with id {site_id!r}", site=site_id)
    return Site(**row._asdict())


def site_boards(engine: Engine, site_id: str) -> list[Board]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(boards).where(boards.c.site_id == site_id).order_by(boards.c.created_at)
        ).all()
    return [Board(**row._asdict()) for row in rows]


def all_boards(engine: Engine) -> list[Board]:
    """Every board of the programme, site by site (what a coordinator's link opens)."""
    with engine.connect() as conn:
        rows = conn.execute(select(boards).order_by(boards.c.site_id, boards.c.created_at)).all()
    return [Board(**row._asdict()) for row in rows]


def create_board(
    engine: Engine, board_id: str, title: str, template: str, seed: bytes, site_id: str | None
) -> Board:
    """Create the board and log its template layout as update #1, in one transaction."""
    if site_id is not None:
        require_site(engine, site_id)
    board = Board(board_id, title, template, site_id, time.time())
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(boards).values(
                    id=board.id,
                    title=board.title,
                    template=board.template,
                    site_id=site_id,
                    created_at=board.created_at,
                )
            )
            log.append_seed(conn, board_id, board.created_at, seed)
    except IntegrityError as exc:
        raise Conflict(f"a board with id {board_id!r} already exists", board=board_id) from exc
    return board


# The reads a board connection makes (token, board, its log), built once: constructing a
# statement and its cache key cost twice what SQLite takes to run it (``get_board``: 167 µs
# built per call, 56 µs built once).
BOARD_BY_ID = select(boards).where(boards.c.id == bindparam("board_id"))
BOARD_LOCKS = select(locks.c.zone).where(locks.c.board_id == bindparam("board_id"))
BOARD_SITE = select(boards.c.site_id).where(boards.c.id == bindparam("board_id"))
INVITE_BY_TOKEN_HASH = select(invites).where(invites.c.token_hash == bindparam("token_hash"))


def get_board(engine: Engine, board_id: str) -> Board | None:
    with engine.connect() as conn:
        return _board_on(conn, board_id)


def _board_on(conn: Connection, board_id: str) -> Board | None:
    row = conn.execute(BOARD_BY_ID, {"board_id": board_id}).first()
    if row is None:
        return None
    zones = conn.execute(BOARD_LOCKS, {"board_id": board_id}).scalars()
    return Board(**row._asdict(), locks=frozenset(zones))


def board_site(engine: Engine, board_id: str) -> tuple[str | None] | None:
    """``(site id,)`` of an existing board, ``None`` if there is no such board: all that an
    access check needs, in one small query (it runs for every connection)."""
    with engine.connect() as conn:
        row = conn.execute(BOARD_SITE, {"board_id": board_id}).first()
    return None if row is None else (row.site_id,)


def has_boards(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(boards.c.id).limit(1)).first() is not None


def require_board(engine: Engine, board_id: str) -> Board:
    return _found(get_board(engine, board_id), board_id)


def _found(board: Board | None, board_id: str) -> Board:
    if board is None:
        raise NotFound(f"no board with id {board_id!r}", board=board_id)
    return board


def stored_board(engine: Engine, board_id: str) -> log.StoredBoard:
    """Everything a live room is rebuilt from; blocking, run it in a worker thread."""
    with engine.connect() as conn:
        board = _found(_board_on(conn, board_id), board_id)
        stored = log.load(conn, board_id)
    return dataclasses.replace(stored, site_id=board.site_id, locks=board.locks)


def set_lock(engine: Engine, board_id: str, zone: str, locked: bool, by: str | None) -> None:
    """Lock or unlock one zone of a board (idempotent)."""
    with engine.begin() as conn:
        conn.execute(delete(locks).where(locks.c.board_id == board_id, locks.c.zone == zone))
        if locked:
            conn.execute(
                insert(locks).values(
                    board_id=board_id, zone=zone, locked_by=by, locked_at=time.time()
                )
            )


def create_invite(
    engine: Engine,
    *,
    board_id: str | None,
    site_id: str | None,
    role: Role,
    label: str | None,
    expires_in: float | None,
    party: str | None = None,
    parent: Grant | None = None,
) -> tuple[Invite, str]:
    """A new invite and its token; only the token's hash is stored. An invite made by a
    facilitator (``parent``) never expires after the facilitator's own."""
    now = time.time()
    token = mint_token()
    expires_at = None if expires_in is None else now + expires_in
    if parent is not None and parent.expires_at is not None:
        expires_at = min(expires_at or parent.expires_at, parent.expires_at)
    invite = Invite(
        id=secrets.token_hex(8),
        board_id=board_id,
        site_id=site_id,
        role=role,
        label=label,
        created_at=now,
        expires_at=expires_at,
        revoked_at=None,
        party=party if role is Role.PARTICIPANT else None,
        created_by=None if parent is None else parent.invite_id,
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
                party=invite.party,
                created_by=invite.created_by,
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


def list_invites(engine: Engine, *, board_id: str | None, site_id: str | None) -> list[Invite]:
    """Invites of one board or of one site, newest first (tokens are never stored)."""
    column = invites.c.board_id if board_id is not None else invites.c.site_id
    with engine.connect() as conn:
        rows = conn.execute(
            select(invites)
            .where(column == (board_id if board_id is not None else site_id))
            .order_by(invites.c.created_at.desc())
        ).all()
    return [_invite(row) for row in rows]


MAX_DELEGATION_DEPTH = 32
"""Invites made from invites made from invites…: a bound on the walk, never reached in use."""


def revoke_invite(engine: Engine, invite_id: str) -> tuple[Invite, list[str]]:
    """Revoke the invite and every invite created from it, at any depth, in one transaction.
    Returns the invite and the ids of the others newly revoked."""
    now = time.time()
    with engine.begin() as conn:
        row = conn.execute(select(invites).where(invites.c.id == invite_id)).first()
        if row is None:
            raise NotFound(f"no invite with id {invite_id!r}")
        descendants: list[str] = []
        frontier = [invite_id]
        for _ in range(MAX_DELEGATION_DEPTH):
            frontier = list(
                conn.execute(select(invites.c.id).where(invites.c.created_by.in_(frontier)))
                .scalars()
                .all()
            )
            if not frontier:
                break
            descendants += frontier
        still_valid = conn.execute(
            select(invites.c.id).where(
                invites.c.id.in_(descendants), invites.c.revoked_at.is_(None)
            )
        ).scalars()
        newly = sorted(still_valid.all())
        conn.execute(
            update(invites)
            .where(invites.c.id.in_([invite_id, *descendants]), invites.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        row = conn.execute(select(invites).where(invites.c.id == invite_id)).one()
    return _invite(row), newly


def set_invite_party(engine: Engine, invite_id: str, party: str) -> Invite:
    """Give a participant invite made before parties were recorded its party, once."""
    with engine.begin() as conn:
        conn.execute(
            update(invites)
            .where(invites.c.id == invite_id, invites.c.party.is_(None))
            .values(party=party)
        )
        row = conn.execute(select(invites).where(invites.c.id == invite_id)).one()
    return _invite(row)


def verify_token(engine: Engine, token: str, now: float | None = None) -> Grant:
    """The grant a token carries, or the reason it carries none."""
    if not token:
        raise Unauthenticated("a token is required (query parameter 'token' or Bearer header)")
    with engine.connect() as conn:
        row = conn.execute(INVITE_BY_TOKEN_HASH, {"token_hash": hash_token(token)}).first()
    if row is None:
        raise Unauthenticated("unknown token", reason="unknown")
    invite = _invite(row)
    if invite.revoked_at is not None:
        raise Forbidden("this invite has been revoked", reason="revoked")
    grant = Grant(
        invite.id,
        invite.role,
        invite.board_id,
        invite.site_id,
        invite.expires_at,
        invite.speaks_for,
    )
    if grant.expired(time.time() if now is None else now):
        raise Unauthenticated("this invite has expired", reason="expired")
    return grant


def programme_invites(engine: Engine) -> list[Invite]:
    """The coordinators' invites (on no board and no site), newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(invites)
            .where(invites.c.board_id.is_(None), invites.c.site_id.is_(None))
            .order_by(invites.c.created_at.desc())
        ).all()
    return [_invite(row) for row in rows]
