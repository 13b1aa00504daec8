"""Who may do what, to which board, site, session, snapshot or invite.

The one place access is decided for the API and for board connections, and the one place
its refusals are worded. Handlers ask here first, then act; the store only says whether a
token is valid (``catalog.verify_token``), never what it allows.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from functools import partial

from starlette.requests import Request

from server.core.auth import Grant, Role, hash_token, same_secret
from server.core.errors import Forbidden, NotFound, Unauthenticated
from server.core.grants import GrantCache
from server.core.slugs import SLUG_RULE, is_slug
from server.http.requests import blocking, record_id
from server.http.services import services
from server.store import archive, catalog, comments, rounds
from server.store.db import Engine
from server.sync.endpoint import Authorizer

NEEDS_BEARER = "send 'Authorization: Bearer <token>'"
NEEDS_OPERATOR = "this action needs the operator token"
NEEDS_BOARD_FACILITATOR = "this action needs a facilitator token of this board"
NEEDS_SITE_FACILITATOR = "this action needs the operator token or a facilitator token of this site"
NEEDS_SITE_READER = (
    "this needs the operator token, a coordinator token or a facilitator token of this site"
)
NEEDS_PROGRAMME_READER = "this needs the operator token or a coordinator token"
NEEDS_RECORDS_READER = (
    "this needs a facilitator token of this board, a coordinator token or the operator token"
)
NEEDS_INVITE_FACILITATOR = "only the operator or a facilitator of the same board or site manages it"
NEEDS_ANSWERER = "only participants and facilitators of this board answer a round"
NEEDS_PARTY = (
    "this invite speaks for no party: ask the facilitator to give it one (PATCH /api/invites)"
)
NEEDS_COMMENTER = "only participants and facilitators of this board comment"
NEEDS_THREAD_OWNER = (
    "only the thread's author or a facilitator of this board resolves or reopens it"
)
OTHER_BOARD = "this token is for another board"
OTHER_BOARD_CONNECTION = "this invite is for another board"


@dataclass(frozen=True)
class Caller:
    """The operator (``grant`` is None) or the holder of an invite."""

    grant: Grant | None

    @property
    def is_operator(self) -> bool:
        return self.grant is None

    @property
    def is_coordinator(self) -> bool:
        """The programme's national team: reads everything, changes nothing."""
        return self.grant is not None and self.grant.role is Role.COORDINATOR

    def reads_records(self, board: catalog.Board) -> bool:
        """Exports and evidence: the board's facilitators, coordinators and the operator."""
        return self.is_coordinator or self.facilitates(board)

    def reads_site(self, site_id: str) -> bool:
        return self.is_coordinator or self.facilitates_site(site_id)

    def facilitates(self, board: catalog.Board) -> bool:
        grant = self.grant
        return grant is None or (
            grant.role is Role.FACILITATOR and grant.covers(board.id, board.site_id)
        )

    def reads(self, board: catalog.Board) -> bool:
        return self.grant is None or self.grant.covers(board.id, board.site_id)

    def facilitates_site(self, site_id: str) -> bool:
        grant = self.grant
        return grant is None or (grant.role is Role.FACILITATOR and grant.site_id == site_id)


async def caller(request: Request) -> Caller:
    """Whoever the bearer token names; 401 without a valid one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated(NEEDS_BEARER)
    svc = services(request)
    if same_secret(token, svc.admin_token):
        return Caller(None)
    return Caller(await blocking(catalog.verify_token, svc.engine, token))


async def operator(request: Request) -> Caller:
    who = await caller(request)
    if not who.is_operator:
        raise Forbidden(NEEDS_OPERATOR)
    return who


async def programme_reader(request: Request) -> Caller:
    """The operator or a coordinator: what spans every site."""
    who = await caller(request)
    if not (who.is_operator or who.is_coordinator):
        raise Forbidden(NEEDS_PROGRAMME_READER)
    return who


def check_board(
    who: Caller, board: catalog.Board, *, facilitator: bool, records: bool = False
) -> None:
    """Reading needs any token covering the board; ``facilitator`` actions need its
    facilitator (or the operator); ``records`` (exports, evidence) also admit coordinators."""
    if facilitator and not who.facilitates(board):
        raise Forbidden(NEEDS_BOARD_FACILITATOR)
    if records and not who.reads_records(board):
        raise Forbidden(NEEDS_RECORDS_READER)
    if not who.reads(board):
        raise Forbidden(OTHER_BOARD)


async def board_for(
    request: Request, *, facilitator: bool, records: bool = False
) -> tuple[catalog.Board, Caller]:
    """The board of the path, once the caller may act on it."""
    who = await caller(request)
    board_id = request.path_params["board_id"]
    if not is_slug(board_id):
        raise NotFound(f"no board with id {board_id!r}")
    board = await blocking(catalog.require_board, services(request).engine, board_id)
    check_board(who, board, facilitator=facilitator, records=records)
    return board, who


async def site_for(request: Request, *, read: bool = False) -> tuple[catalog.Site, Caller]:
    """The site of the path, for its facilitators and the operator; ``read`` also admits
    coordinators."""
    who = await caller(request)
    site_id = request.path_params["site_id"]
    if not is_slug(site_id):
        raise NotFound(f"no site with id {site_id!r}")
    site = await blocking(catalog.require_site, services(request).engine, site_id)
    if read and not who.reads_site(site.id):
        raise Forbidden(NEEDS_SITE_READER)
    if not read and not who.facilitates_site(site.id):
        raise Forbidden(NEEDS_SITE_FACILITATOR)
    return site, who


async def session_for(
    request: Request, *, facilitator: bool, records: bool = False
) -> tuple[archive.Session, catalog.Board, Caller]:
    """The session of the path and its board, with the same rights as on the board."""
    who = await caller(request)
    engine = services(request).engine
    session_id = record_id(request, "session_id", "session")
    session = await blocking(archive.get_session, engine, session_id)
    board = await blocking(catalog.require_board, engine, session.board_id)
    check_board(who, board, facilitator=facilitator, records=records)
    return session, board, who


async def snapshot_for(
    request: Request, name: str, *, facilitator: bool, records: bool = False
) -> tuple[archive.Snapshot, catalog.Board]:
    """The snapshot named by path parameter ``name`` and its board."""
    who = await caller(request)
    engine = services(request).engine
    snapshot = await blocking(archive.get_snapshot, engine, record_id(request, name, "snapshot"))
    board = await blocking(catalog.require_board, engine, snapshot.board_id)
    check_board(who, board, facilitator=facilitator, records=records)
    return snapshot, board


async def round_for(
    request: Request, *, facilitator: bool
) -> tuple[rounds.Round, catalog.Board, Caller]:
    """The private round of the path and its board, with the same rights as on the board."""
    who = await caller(request)
    engine = services(request).engine
    found = await blocking(rounds.get_round, engine, record_id(request, "round_id", "round"))
    board = await blocking(catalog.require_board, engine, found.board_id)
    check_board(who, board, facilitator=facilitator)
    return found, board, who


def answerer(who: Caller, claimed: object) -> Grant:
    """Who may answer a round: a participant or facilitator invite speaking for a party (its
    own: a body naming another is refused), never an observer or the operator."""
    grant = who.grant
    if grant is None or grant.role not in (Role.PARTICIPANT, Role.FACILITATOR):
        raise Forbidden(NEEDS_ANSWERER)
    if grant.party is None:
        raise Forbidden(NEEDS_PARTY)
    if claimed is not None and claimed != grant.party:
        raise Forbidden(f"this invite speaks for {grant.party}, not {claimed}", field="party")
    return grant


def commenter(who: Caller) -> Grant:
    """Who may comment: a participant or facilitator invite (its party is the invite's, never
    the body's); observers, coordinators and the operator read comments only."""
    grant = who.grant
    if grant is None or grant.role not in (Role.PARTICIPANT, Role.FACILITATOR):
        raise Forbidden(NEEDS_COMMENTER)
    return grant


async def thread_for(
    request: Request,
) -> tuple[comments.Comment, catalog.Board, Caller]:
    """The first comment of the thread the path's comment is in, once the caller may resolve
    or reopen it: its author's invite, or a facilitator of the board (or the operator)."""
    who = await caller(request)
    engine = services(request).engine
    found = await blocking(comments.get, engine, record_id(request, "comment_id", "comment"))
    board = await blocking(catalog.require_board, engine, found.board_id)
    check_board(who, board, facilitator=False)
    root = (
        found if found.parent_id is None else await blocking(comments.get, engine, found.parent_id)
    )
    grant = who.grant
    author = grant is not None and grant.role.can_edit and grant.invite_id == root.invite_id
    if not (author or who.facilitates(board)):
        raise Forbidden(NEEDS_THREAD_OWNER)
    return root, board, who


async def invite_to_manage(request: Request) -> catalog.Invite:
    """The invite of the path, for the operator or a facilitator of its board or site (to
    revoke it or give it its party)."""
    engine = services(request).engine
    who = await caller(request)
    invite_id = request.path_params["invite_id"]
    invite = await blocking(catalog.get_invite, engine, invite_id)
    if invite is None:
        raise NotFound(f"no invite with id {invite_id!r}")
    if invite.board_id is not None:
        board = await blocking(catalog.require_board, engine, invite.board_id)
        allowed = who.facilitates(board)
    elif invite.site_id is not None:
        allowed = who.facilitates_site(invite.site_id)
    else:  # a programme (coordinator) invite
        allowed = who.is_operator
    if not allowed:
        raise Forbidden(NEEDS_INVITE_FACILITATOR)
    return invite


def connection_grant(engine: Engine, board_id: str, token: str) -> tuple[Grant, str | None]:
    """The grant a board connection's token carries, and the board's site (blocking: two
    small queries); whether the grant covers the board is the caller's check."""
    grant = catalog.verify_token(engine, token)
    site = catalog.board_site(engine, board_id)
    if site is None:
        raise NotFound(f"no board with id {board_id!r}")
    return grant, site[0]


def board_connection_authorizer(engine: Engine, grants: GrantCache) -> Authorizer:
    """The check the board endpoint runs before accepting a connection: from ``grants`` when
    both the token and the board are known there, else off the loop in the database, once
    for all the connections of one token to one board that arrive meanwhile (a class's
    shared link, or every client of an invite coming back after a restart)."""
    in_flight: dict[tuple[str, str], asyncio.Task[tuple[Grant, str | None]]] = {}

    async def look_up(board_id: str, token: str, token_hash: str) -> tuple[Grant, str | None]:
        generation = grants.generation
        grant, site = await asyncio.to_thread(connection_grant, engine, board_id, token)
        grants.remember(token_hash, grant, generation)
        grants.remember_site(board_id, site)
        return grant, site

    def settled(key: tuple[str, str], task: asyncio.Task[tuple[Grant, str | None]]) -> None:
        in_flight.pop(key, None)
        if not task.cancelled():
            task.exception()  # retrieved here too, should every waiter have left

    async def authorize(board_id: str, token: str) -> Grant:
        if not is_slug(board_id):
            raise NotFound(f"board ids are slugs {SLUG_RULE}")
        token_hash = hash_token(token)
        grant = grants.grant(token_hash, time.time()) if token else None
        known = grants.site_of(board_id)
        if grant is None or known is None:
            key = (token_hash, board_id)
            task = in_flight.get(key)
            if task is None:
                task = asyncio.create_task(look_up(board_id, token, token_hash))
                in_flight[key] = task
                task.add_done_callback(partial(settled, key))
            verified, site = await asyncio.shield(task)  # one waiter leaving cancels no other
            grant, known = verified, (site,)
        if not grant.covers(board_id, known[0]):
            raise Forbidden(OTHER_BOARD_CONNECTION)
        return grant

    return authorize
