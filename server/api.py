"""The JSON API. Every error is an ``application/problem+json`` document."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from server.auth import Grant, Role, same_secret
from server.errors import BadRequest, Forbidden, NotFound, Unauthenticated
from server.services import Services
from server.store import catalog

SLUG = re.compile(r"[a-z0-9_-]{1,64}")
TEMPLATES = ("workshop", "continuum", "chain", "agreement")
MAX_TITLE_CHARS = 200
MAX_EXPIRES_IN = 366 * 24 * 3600

T = TypeVar("T")


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database calls run in a worker thread so the event loop keeps serving boards."""
    return await asyncio.to_thread(fn, *args, **kwargs)


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    return token.strip()


def is_operator(request: Request, token: str) -> bool:
    return same_secret(token, services(request).admin_token)


async def require_operator(request: Request) -> None:
    if not is_operator(request, bearer(request)):
        raise Forbidden("this action needs the operator token")


async def require_facilitator(request: Request, board: catalog.Board) -> Grant | None:
    """The operator (None) or a facilitator grant covering this board."""
    token = bearer(request)
    if is_operator(request, token):
        return None
    grant = await blocking(catalog.verify_token, services(request).engine, token)
    if grant.role is not Role.FACILITATOR or not grant.covers(board.id, board.site_id):
        raise Forbidden("this action needs a facilitator token of this board")
    return grant


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _string(body: dict[str, Any], key: str, *, required: bool, max_chars: int) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise BadRequest(f"'{key}' is required", field=key)
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_chars:
        raise BadRequest(
            f"'{key}' must be a non-empty string of at most {max_chars} characters", field=key
        )
    return value.strip()


def board_json(board: catalog.Board) -> dict[str, Any]:
    return {
        "id": board.id,
        "title": board.title,
        "template": board.template,
        "site": board.site_id,
        "locked": board.locked,
        "created_at": board.created_at,
    }


def _unique_slug(title: str) -> str:
    import secrets

    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "board"
    return f"{base}-{secrets.token_hex(3)}"


def seed_update(template: str, title: str) -> bytes:
    """The first logged update of a new board: its template layout."""
    from server.boards.layout import seed_board

    doc: Doc[Any] = Doc()
    seed_board(doc, template, title)
    return doc.get_update()


async def create_board(request: Request) -> Response:
    await require_operator(request)
    body = await json_body(request)
    title = _string(body, "title", required=True, max_chars=MAX_TITLE_CHARS)
    assert title is not None
    template = body.get("template", "workshop")
    if template not in TEMPLATES:
        raise BadRequest(f"'template' must be one of {', '.join(TEMPLATES)}", field="template")
    board_id = body.get("id")
    if board_id is None:
        board_id = _unique_slug(title)
    elif not isinstance(board_id, str) or not SLUG.fullmatch(board_id):
        raise BadRequest("'id' must be a slug: 1 to 64 of a-z, 0-9, '_' and '-'", field="id")
    seed = await blocking(seed_update, template, title)
    board = await blocking(
        catalog.create_board, services(request).engine, board_id, title, template, seed
    )
    return JSONResponse(board_json(board), status_code=201)


async def get_board(request: Request) -> Response:
    board = await _board(request)
    await require_facilitator_or_operator_read(request, board)
    return JSONResponse(board_json(board))


async def require_facilitator_or_operator_read(request: Request, board: catalog.Board) -> None:
    token = bearer(request)
    if is_operator(request, token):
        return
    grant = await blocking(catalog.verify_token, services(request).engine, token)
    if not grant.covers(board.id, board.site_id):
        raise Forbidden("this token is for another board")


async def _board(request: Request) -> catalog.Board:
    board_id = request.path_params["board_id"]
    if not SLUG.fullmatch(board_id):
        raise NotFound(f"no board with id {board_id!r}")
    return await blocking(catalog.require_board, services(request).engine, board_id)


def invite_json(request: Request, invite: catalog.Invite, token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
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
        body["token"] = token
        base = services(request).settings.public_url or str(request.base_url)
        body["url"] = f"{base.rstrip('/')}/join/{token}"
    return body


async def create_board_invite(request: Request) -> Response:
    board = await _board(request)
    await require_facilitator(request, board)
    body = await json_body(request)
    try:
        role = Role(str(body.get("role")))
    except ValueError as exc:
        raise BadRequest(
            "'role' must be facilitator, participant or observer", field="role"
        ) from exc
    expires_in = body.get("expires_in")
    if expires_in is not None and (
        not isinstance(expires_in, int | float)
        or isinstance(expires_in, bool)
        or not 0 < expires_in <= MAX_EXPIRES_IN
    ):
        raise BadRequest(
            f"'expires_in' must be seconds between 1 and {MAX_EXPIRES_IN}", field="expires_in"
        )
    label = _string(body, "label", required=False, max_chars=MAX_TITLE_CHARS)
    invite, token = await blocking(
        catalog.create_invite,
        services(request).engine,
        board_id=board.id,
        site_id=None,
        role=role,
        label=label,
        expires_in=expires_in,
    )
    return JSONResponse(invite_json(request, invite, token), status_code=201)


async def revoke_invite(request: Request) -> Response:
    svc = services(request)
    invite_id = request.path_params["invite_id"]
    invite = await blocking(catalog.get_invite, svc.engine, invite_id)
    if invite is None:
        raise NotFound(f"no invite with id {invite_id!r}")
    token = bearer(request)
    if not is_operator(request, token):
        grant = await blocking(catalog.verify_token, svc.engine, token)
        same_scope = grant.board_id == invite.board_id and grant.site_id == invite.site_id
        if grant.role is not Role.FACILITATOR or not same_scope:
            raise Forbidden("only the operator or a facilitator of the same board revokes invites")
    revoked = await blocking(catalog.revoke_invite, svc.engine, invite_id)
    svc.rooms.kick_invite(invite_id, "this invite has been revoked")
    return JSONResponse(invite_json(request, revoked, None))


async def _set_lock(request: Request, locked: bool) -> Response:
    svc = services(request)
    board = await _board(request)
    await require_facilitator(request, board)
    await blocking(catalog.set_locked, svc.engine, board.id, locked)
    room = svc.rooms.live(board.id)
    if room is not None:
        room.set_locked(locked)
    return JSONResponse({"id": board.id, "locked": locked})


async def lock_board(request: Request) -> Response:
    return await _set_lock(request, True)


async def unlock_board(request: Request) -> Response:
    return await _set_lock(request, False)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/boards", create_board, methods=["POST"]),
        Route("/api/boards/{board_id}", get_board, methods=["GET"]),
        Route("/api/boards/{board_id}/invites", create_board_invite, methods=["POST"]),
        Route("/api/boards/{board_id}/lock", lock_board, methods=["POST"]),
        Route("/api/boards/{board_id}/unlock", unlock_board, methods=["POST"]),
        Route("/api/invites/{invite_id}", revoke_invite, methods=["DELETE"]),
    ]
