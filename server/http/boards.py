"""The JSON API. Every error is an ``application/problem+json`` document.

Each endpoint is declared once in ``ENDPOINTS`` with its request and response schemas: the
same table builds the routes, validates request bodies and assembles the OpenAPI document.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from server.archive.contributions import contributions
from server.boards.labels import templates_catalog
from server.boards.layout import BOARD_ZONE, seed_board
from server.boards.projection import project
from server.boards.timer import clear_timer, set_timer
from server.core import schema
from server.core.auth import Grant, Role, same_secret
from server.core.clock import iso, parse_iso
from server.core.errors import BadRequest, Forbidden, NotFound, Unauthenticated
from server.http.services import Services
from server.store import catalog
from server.sync.loader import load_board

SLUG = re.compile(r"[a-z0-9_-]{1,64}")

T = TypeVar("T")
Handler = Callable[[Request], Awaitable[Response]]


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database calls run in a worker thread so the event loop keeps serving boards."""
    return await asyncio.to_thread(fn, *args, **kwargs)


# -- who is asking ------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """The operator (``grant`` is None) or the holder of an invite."""

    grant: Grant | None

    @property
    def is_operator(self) -> bool:
        return self.grant is None

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
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    svc = services(request)
    if same_secret(token, svc.admin_token):
        return Caller(None)
    return Caller(await blocking(catalog.verify_token, svc.engine, token))


async def operator(request: Request) -> Caller:
    who = await caller(request)
    if not who.is_operator:
        raise Forbidden("this action needs the operator token")
    return who


async def board_for(request: Request, *, facilitator: bool) -> tuple[catalog.Board, Caller]:
    who = await caller(request)
    board = await _board(request)
    if facilitator and not who.facilitates(board):
        raise Forbidden("this action needs a facilitator token of this board")
    if not who.reads(board):
        raise Forbidden("this token is for another board")
    return board, who


async def _board(request: Request) -> catalog.Board:
    board_id = request.path_params["board_id"]
    if not SLUG.fullmatch(board_id):
        raise NotFound(f"no board with id {board_id!r}")
    return await blocking(catalog.require_board, services(request).engine, board_id)


async def body(request: Request, schema_name: str) -> dict[str, Any]:
    """The request body, parsed and validated against ``schemas/<schema_name>``."""
    raw = await request.body()
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from exc
    errors = schema.problems(schema_name, data)
    if errors:
        raise BadRequest("; ".join(errors), errors=errors)
    assert isinstance(data, dict)
    return data


# -- JSON shapes --------------------------------------------------------------------------


def board_json(board: catalog.Board) -> dict[str, Any]:
    return {
        "id": board.id,
        "title": board.title,
        "template": board.template,
        "site": board.site_id,
        "locked": BOARD_ZONE in board.locks,
        "zone_locks": sorted(board.locks - {BOARD_ZONE}),
        "created_at": board.created_at,
    }


def site_json(site: catalog.Site) -> dict[str, Any]:
    return {"id": site.id, "title": site.title, "created_at": site.created_at}


def invite_json(request: Request, invite: catalog.Invite, token: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": invite.id,
        "role": invite.role.value,
        "board": invite.board_id,
        "site": invite.site_id,
        "label": invite.label,
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
        "revoked_at": invite.revoked_at,
    }
    if token is not None:
        data["token"] = token
        base = services(request).settings.public_url or str(request.base_url)
        data["url"] = f"{base.rstrip('/')}/join/{token}"
    return data


def _slug_from(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "board"
    return f"{base}-{secrets.token_hex(3)}"


# -- handlers -----------------------------------------------------------------------------


async def get_templates(request: Request) -> Response:
    return JSONResponse(templates_catalog())


async def get_me(request: Request) -> Response:
    who = await caller(request)
    grant = who.grant
    if grant is None:
        me = {"invite_id": None, "role": "operator", "board": None, "site": None}
        return JSONResponse({**me, "expires_at": None, "label": None})
    invite = await blocking(catalog.get_invite, services(request).engine, grant.invite_id)
    return JSONResponse(
        {
            "invite_id": grant.invite_id,
            "role": grant.role.value,
            "board": grant.board_id,
            "site": grant.site_id,
            "expires_at": grant.expires_at,
            "label": invite.label if invite else None,
        }
    )


async def create_site(request: Request) -> Response:
    await operator(request)
    data = await body(request, "api/site-create.request.schema.json")
    title = data["title"].strip()
    site_id = data.get("id") or _slug_from(title)
    site = await blocking(catalog.create_site, services(request).engine, site_id, title)
    return JSONResponse(site_json(site), status_code=201)


async def list_sites(request: Request) -> Response:
    await operator(request)
    sites = await blocking(catalog.list_sites, services(request).engine)
    return JSONResponse({"sites": [site_json(site) for site in sites]})


async def _site(request: Request) -> catalog.Site:
    site_id = request.path_params["site_id"]
    if not SLUG.fullmatch(site_id):
        raise NotFound(f"no site with id {site_id!r}")
    return await blocking(catalog.require_site, services(request).engine, site_id)


async def get_site(request: Request) -> Response:
    who = await caller(request)
    site = await _site(request)
    if not who.facilitates_site(site.id):
        raise Forbidden("this action needs the operator token or a facilitator token of this site")
    engine = services(request).engine
    boards = await blocking(catalog.site_boards, engine, site.id)
    invites = await blocking(catalog.list_invites, engine, board_id=None, site_id=site.id)
    return JSONResponse(
        {
            **site_json(site),
            "boards": [board_json(board) for board in boards],
            "invites": [invite_json(request, invite, None) for invite in invites],
        }
    )


async def create_board(request: Request) -> Response:
    await operator(request)
    data = await body(request, "api/board-create.request.schema.json")
    title = data["title"].strip()
    template = data.get("template", "workshop")
    board_id = data.get("id") or _slug_from(title)
    seed = await blocking(seed_update, template, title)
    board = await blocking(
        catalog.create_board,
        services(request).engine,
        board_id,
        title,
        template,
        seed,
        data.get("site"),
    )
    return JSONResponse(board_json(board), status_code=201)


def seed_update(template: str, title: str) -> bytes:
    """The first logged update of a new board: its template layout."""
    doc: Doc[Any] = Doc()
    seed_board(doc, template, title)
    return doc.get_update()


async def get_board(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    return JSONResponse(board_json(board))


async def current_state(svc: Services, board_id: str) -> bytes:
    """The board's full state: from the live room when loaded, else from storage."""
    room = svc.rooms.live(board_id)
    if room is not None:
        return room.doc.get_update()
    loaded = await blocking(load_board, svc.engine, board_id)
    return loaded.doc.get_update()


def _project_state(state: bytes) -> dict[str, Any]:
    doc: Doc[Any] = Doc()
    doc.apply_update(state)
    return dict(project(doc))


async def get_content(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    state = await current_state(services(request), board.id)
    return JSONResponse(await blocking(_project_state, state))


def time_param(request: Request, name: str) -> float | None:
    """An optional ISO 8601 query parameter as Unix time (no offset means UTC)."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return parse_iso(raw)
    except ValueError as exc:
        raise BadRequest(f"'{name}' must be an ISO 8601 date-time", field=name) from exc


async def get_contributions(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    since, until = time_param(request, "from"), time_param(request, "to")
    figures = await blocking(contributions, services(request).engine, board.id, since, until)
    return JSONResponse(figures)


async def _create_invite(
    request: Request, *, board_id: str | None, site_id: str | None
) -> Response:
    data = await body(request, "api/invite-create.request.schema.json")
    invite, token = await blocking(
        catalog.create_invite,
        services(request).engine,
        board_id=board_id,
        site_id=site_id,
        role=Role(data["role"]),
        label=data.get("label"),
        expires_in=data.get("expires_in"),
    )
    return JSONResponse(invite_json(request, invite, token), status_code=201)


async def create_board_invite(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=True)
    return await _create_invite(request, board_id=board.id, site_id=None)


async def create_site_invite(request: Request) -> Response:
    who = await caller(request)
    site = await _site(request)
    if not who.facilitates_site(site.id):
        raise Forbidden("this action needs the operator token or a facilitator token of this site")
    return await _create_invite(request, board_id=None, site_id=site.id)


async def list_board_invites(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=True)
    engine = services(request).engine
    invites = await blocking(catalog.list_invites, engine, board_id=board.id, site_id=None)
    return JSONResponse({"invites": [invite_json(request, i, None) for i in invites]})


async def revoke_invite(request: Request) -> Response:
    svc = services(request)
    who = await caller(request)
    invite_id = request.path_params["invite_id"]
    invite = await blocking(catalog.get_invite, svc.engine, invite_id)
    if invite is None:
        raise NotFound(f"no invite with id {invite_id!r}")
    if invite.board_id is not None:
        board = await blocking(catalog.require_board, svc.engine, invite.board_id)
        allowed = who.facilitates(board)
    else:
        allowed = who.facilitates_site(str(invite.site_id))
    if not allowed:
        raise Forbidden("only the operator or a facilitator of the same board or site revokes it")
    revoked = await blocking(catalog.revoke_invite, svc.engine, invite_id)
    svc.rooms.kick_invite(invite_id, "this invite has been revoked")
    return JSONResponse(invite_json(request, revoked, None))


async def _set_lock(request: Request, locked: bool) -> Response:
    svc = services(request)
    board, who = await board_for(request, facilitator=True)
    zone = (await body(request, "api/lock.request.schema.json")).get("zone", BOARD_ZONE)
    by = None if who.grant is None else who.grant.invite_id
    await blocking(catalog.set_lock, svc.engine, board.id, zone, locked, by)
    svc.rooms.set_lock(board.id, zone, locked, by, iso(time.time()))
    locks = (board.locks | {zone}) if locked else (board.locks - {zone})
    return JSONResponse(
        {"id": board.id, "locked": BOARD_ZONE in locks, "zone_locks": sorted(locks - {BOARD_ZONE})}
    )


async def lock_board(request: Request) -> Response:
    return await _set_lock(request, True)


async def unlock_board(request: Request) -> Response:
    return await _set_lock(request, False)


async def set_board_timer(request: Request) -> Response:
    svc = services(request)
    board, _ = await board_for(request, facilitator=True)
    seconds = int((await body(request, "api/timer.request.schema.json"))["seconds"])
    room = await svc.rooms.get(board.id)
    if seconds == 0:
        room.apply_server_change(clear_timer)
        return JSONResponse({"running": False, "endsAt": None, "duration": 0})
    ends_at = iso(time.time() + seconds)
    room.apply_server_change(lambda doc: set_timer(doc, ends_at, seconds))
    return JSONResponse({"running": True, "endsAt": ends_at, "duration": seconds})


# -- the table ----------------------------------------------------------------------------

AUTH_OPERATOR = "operator token"
AUTH_FACILITATOR = "operator, or a facilitator token covering the board"
AUTH_ANY = "operator, or any valid token covering the board"
AUTH_NONE = "none"
DATE_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    auth: str
    responses: dict[int, str]
    """Status -> response schema name under ``schemas/``."""
    request: str | None = None
    body_required: bool = True
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Query parameter -> its JSON Schema (with a ``description``)."""
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Other media types the 200 answer can take (by ``format`` or ``Accept``) -> schema."""


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/api/templates",
        get_templates,
        "Labels and guiding questions (fr, en)",
        AUTH_NONE,
        {200: "api/templates.schema.json"},
    ),
    Endpoint(
        "GET",
        "/api/me",
        get_me,
        "What the presented token allows",
        "any token",
        {200: "api/me.schema.json"},
    ),
    Endpoint(
        "POST",
        "/api/sites",
        create_site,
        "Create a site",
        AUTH_OPERATOR,
        {201: "api/site.schema.json", 409: "problem.schema.json"},
        "api/site-create.request.schema.json",
    ),
    Endpoint(
        "GET",
        "/api/sites",
        list_sites,
        "List sites",
        AUTH_OPERATOR,
        {200: "api/site-list.schema.json"},
    ),
    Endpoint(
        "GET",
        "/api/sites/{site_id}",
        get_site,
        "A site, its boards and invites",
        "operator, or a facilitator token of the site",
        {200: "api/site-detail.schema.json", 404: "problem.schema.json"},
    ),
    Endpoint(
        "POST",
        "/api/sites/{site_id}/invites",
        create_site_invite,
        "Invite valid on every board of the site",
        "operator, or a facilitator token of the site",
        {201: "api/invite.schema.json", 404: "problem.schema.json"},
        "api/invite-create.request.schema.json",
    ),
    Endpoint(
        "POST",
        "/api/boards",
        create_board,
        "Create a board from a template",
        AUTH_OPERATOR,
        {201: "api/board.schema.json", 409: "problem.schema.json"},
        "api/board-create.request.schema.json",
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}",
        get_board,
        "A board",
        AUTH_ANY,
        {200: "api/board.schema.json", 404: "problem.schema.json"},
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/content",
        get_content,
        "The board as JSON, with its problems",
        AUTH_ANY,
        {200: "board.schema.json", 404: "problem.schema.json"},
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/contributions",
        get_contributions,
        "Balance of voice per party and participant",
        AUTH_ANY,
        {200: "api/contributions.schema.json", 404: "problem.schema.json"},
        query={
            "from": {**DATE_TIME, "description": "ISO 8601 date-time (inclusive)"},
            "to": {**DATE_TIME, "description": "ISO 8601 date-time (exclusive)"},
        },
    ),
    Endpoint(
        "POST",
        "/api/boards/{board_id}/invites",
        create_board_invite,
        "Invite to a board",
        AUTH_FACILITATOR,
        {201: "api/invite.schema.json", 404: "problem.schema.json"},
        "api/invite-create.request.schema.json",
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/invites",
        list_board_invites,
        "A board's invites",
        AUTH_FACILITATOR,
        {200: "api/invite-list.schema.json", 404: "problem.schema.json"},
    ),
    Endpoint(
        "POST",
        "/api/boards/{board_id}/lock",
        lock_board,
        "Lock the board or one zone",
        AUTH_FACILITATOR,
        {200: "api/lock-state.schema.json", 404: "problem.schema.json"},
        "api/lock.request.schema.json",
        body_required=False,
    ),
    Endpoint(
        "POST",
        "/api/boards/{board_id}/unlock",
        unlock_board,
        "Unlock the board or one zone",
        AUTH_FACILITATOR,
        {200: "api/lock-state.schema.json", 404: "problem.schema.json"},
        "api/lock.request.schema.json",
        body_required=False,
    ),
    Endpoint(
        "POST",
        "/api/boards/{board_id}/timer",
        set_board_timer,
        "Start or stop the shared timer",
        AUTH_FACILITATOR,
        {200: "api/timer.schema.json", 404: "problem.schema.json"},
        "api/timer.request.schema.json",
    ),
    Endpoint(
        "DELETE",
        "/api/invites/{invite_id}",
        revoke_invite,
        "Revoke an invite; its live connections close with 4403",
        "operator, or a facilitator of the invite's board or site",
        {200: "api/invite.schema.json", 404: "problem.schema.json"},
    ),
)


def routes(endpoints: tuple[Endpoint, ...]) -> list[BaseRoute]:
    by_path: dict[str, dict[str, Handler]] = {}
    for endpoint in endpoints:
        by_path.setdefault(endpoint.path, {})[endpoint.method] = endpoint.handler
    return [
        Route(path, _dispatch(methods), methods=list(methods)) for path, methods in by_path.items()
    ]


def _dispatch(methods: dict[str, Handler]) -> Handler:
    if len(methods) == 1:
        return next(iter(methods.values()))

    async def dispatch(request: Request) -> Response:
        return await methods[request.method](request)

    return dispatch
