"""Sites, boards, invites, locks and the timer: the API of the live workshop.

Handlers parse, ask ``access``, call one store or domain function, and answer.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.archive.contributions import contributions
from server.boards.document import doc_from_updates, seed_update
from server.boards.layout import BOARD_ZONE
from server.boards.projection import project
from server.boards.timer import clear_timer, extended_timer, set_timer
from server.boards.vocabulary import templates_catalog
from server.core.auth import Role
from server.core.clock import iso
from server.core.errors import Conflict
from server.core.slugs import slug_from
from server.http.access import (
    Caller,
    board_for,
    caller,
    invite_to_manage,
    operator,
)
from server.http.endpoints import (
    AUTH_ANY,
    AUTH_FACILITATOR,
    AUTH_NONE,
    AUTH_OPERATOR,
    DATE_TIME,
    Endpoint,
)
from server.http.requests import blocking, body, time_param
from server.http.rounds import with_open_rounds
from server.http.services import services
from server.http.sessions import caller_name
from server.http.views import board_json, invite_json, lock_state_json
from server.store import catalog
from server.store.db import Engine
from server.sync.loader import rebuild
from server.sync.room import Room


async def get_templates(request: Request) -> Response:
    return JSONResponse(templates_catalog())


async def get_me(request: Request) -> Response:
    who = await caller(request)
    grant = who.grant
    if grant is None:
        me = {"invite_id": None, "role": "operator", "party": None, "board": None, "site": None}
        return JSONResponse({**me, "expires_at": None, "label": None})
    invite = await blocking(catalog.get_invite, services(request).engine, grant.invite_id)
    return JSONResponse(
        {
            "invite_id": grant.invite_id,
            "role": grant.role.value,
            "party": grant.party,
            "board": grant.board_id,
            "site": grant.site_id,
            "expires_at": grant.expires_at,
            "label": invite.label if invite else None,
        }
    )


async def create_board(request: Request) -> Response:
    await operator(request)
    data = await body(request, "api/board-create.request.schema.json")
    title = data["title"].strip()
    template = data.get("template", "workshop")
    board_id = data.get("id") or slug_from(title)
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


async def get_board(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    return JSONResponse(board_json(board))


async def get_content(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    svc = services(request)
    room = svc.rooms.live(board.id)
    live_state = None if room is None else room.doc.get_update()  # taken on the loop
    content = await blocking(_content, svc.engine, board.id, live_state)
    return JSONResponse(await with_open_rounds(svc.engine, board.id, content))


def _content(engine: Engine, board_id: str, live_state: bytes | None) -> dict[str, Any]:
    """The board's projection: from the live room's state when loaded, else from storage."""
    if live_state is not None:
        return dict(project(doc_from_updates([live_state])))
    return dict(project(rebuild(catalog.stored_board(engine, board_id)).doc))


async def get_contributions(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    since, until = time_param(request, "from"), time_param(request, "to")
    figures = await blocking(contributions, services(request).engine, board.id, since, until)
    return JSONResponse(figures)


async def create_invite_response(
    request: Request, who: Caller, *, board_id: str | None, site_id: str | None
) -> Response:
    data = await body(request, "api/invite-create.request.schema.json")
    default_expiry = services(request).settings.invite_default_expiry_seconds
    invite, token = await blocking(
        catalog.create_invite,
        services(request).engine,
        board_id=board_id,
        site_id=site_id,
        role=Role(data["role"]),
        label=data.get("label"),
        expires_in=data.get("expires_in", default_expiry),
        party=data.get("party"),
        parent=who.grant,
    )
    return JSONResponse(invite_json(request, invite, token), status_code=201)


async def create_board_invite(request: Request) -> Response:
    board, who = await board_for(request, facilitator=True)
    return await create_invite_response(request, who, board_id=board.id, site_id=None)


async def list_board_invites(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=True)
    engine = services(request).engine
    invites = await blocking(catalog.list_invites, engine, board_id=board.id, site_id=None)
    return JSONResponse({"invites": [invite_json(request, i, None) for i in invites]})


async def revoke_invite(request: Request) -> Response:
    svc = services(request)
    invite = await invite_to_manage(request)
    revoked, with_it = await blocking(catalog.revoke_invite, svc.engine, invite.id)
    svc.rooms.kick_invite(invite.id, "this invite has been revoked")
    for other in with_it:
        svc.rooms.kick_invite(other, "the invite that created this one has been revoked")
    return JSONResponse({**invite_json(request, revoked, None), "revoked_with": with_it})


async def set_invite_party(request: Request) -> Response:
    """Upgrade a participant invite made before parties were recorded: its link keeps
    working, and from its next connection its holder may approve for that party."""
    invite = await invite_to_manage(request)
    party = (await body(request, "api/invite-party.request.schema.json"))["party"]
    if invite.role is not Role.PARTICIPANT or invite.party is not None:
        raise Conflict(
            "only a participant invite without a party can be given one; "
            "create a new invite for another party",
            invite=invite.id,
        )
    updated = await blocking(catalog.set_invite_party, services(request).engine, invite.id, party)
    services(request).rooms.kick_invite(invite.id, "this invite now speaks for a party; reconnect")
    return JSONResponse(invite_json(request, updated, None))


async def _set_lock(request: Request, locked: bool) -> Response:
    svc = services(request)
    board, who = await board_for(request, facilitator=True)
    data = await body(request, "api/lock.request.schema.json")
    zone = data.get("zone", BOARD_ZONE)
    by = None if who.grant is None else who.grant.invite_id
    name = caller_name(request, who, board.id, data.get("name"))
    if name is None and by is not None:  # the invite's label names the facilitator's link
        invite = await blocking(catalog.get_invite, svc.engine, by)
        name = invite.label if invite else None
    await blocking(catalog.set_lock, svc.engine, board.id, zone, locked, by)
    svc.rooms.set_lock(board.id, zone, locked, by, iso(time.time()), name)
    locks = (board.locks | {zone}) if locked else (board.locks - {zone})
    return JSONResponse(lock_state_json(board.id, locks))


async def lock_board(request: Request) -> Response:
    return await _set_lock(request, True)


async def unlock_board(request: Request) -> Response:
    return await _set_lock(request, False)


async def set_board_timer(request: Request) -> Response:
    svc = services(request)
    board, _ = await board_for(request, facilitator=True)
    asked = await body(request, "api/timer.request.schema.json")
    room = await svc.rooms.get(board.id)
    if "add" in asked:
        return _extend_timer(room, int(asked["add"]))
    seconds = int(asked["seconds"])
    if seconds == 0:
        room.apply_server_change(clear_timer)
        return JSONResponse({"running": False, "endsAt": None, "duration": 0})
    ends_at = iso(time.time() + seconds)
    room.apply_server_change(lambda doc: set_timer(doc, ends_at, seconds))
    return JSONResponse({"running": True, "endsAt": ends_at, "duration": seconds})


def _extend_timer(room: Room, add: int) -> Response:
    """« +1 min »: the running timer ends ``add`` seconds later, for everyone."""
    extended = extended_timer(room.doc, add, time.time())
    if extended is None:
        raise Conflict("no timer is set: start one before adding time")
    ends_at, duration = extended
    room.apply_server_change(lambda doc: set_timer(doc, ends_at, duration))
    return JSONResponse({"running": True, "endsAt": ends_at, "duration": duration})


# -- the table ----------------------------------------------------------------------------

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
        "Start, stop or extend the shared timer",
        AUTH_FACILITATOR,
        {200: "api/timer.schema.json", 404: "problem.schema.json", 409: "problem.schema.json"},
        "api/timer.request.schema.json",
    ),
    Endpoint(
        "PATCH",
        "/api/invites/{invite_id}",
        set_invite_party,
        "Give a participant invite without a party its party (once); its connections reconnect",
        "operator, or a facilitator of the invite's board or site",
        {200: "api/invite.schema.json", 404: "problem.schema.json", 409: "problem.schema.json"},
        "api/invite-party.request.schema.json",
    ),
    Endpoint(
        "DELETE",
        "/api/invites/{invite_id}",
        revoke_invite,
        "Revoke an invite and those created from it; their live connections close with 4403",
        "operator, or a facilitator of the invite's board or site",
        {200: "api/invite.schema.json", 404: "problem.schema.json"},
    ),
)
