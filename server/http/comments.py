"""Comments on notes, chain items and agreement sections, and « depuis votre dernière visite ».

Comments are held by the server, never in the board's document: participants and
facilitators write them, every token of the board reads them. A new comment, a resolve or a
reopen tells the board's connections with a ``comment`` notice carrying the thread's id
only; pages then ask the API. Each opening of the board records a visit, so the next one can
say what changed in between.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.archive.since import SinceLastVisit, since_last_visit
from server.boards.targets import target_exists
from server.core.auth import party_of
from server.core.clock import iso
from server.core.errors import BadRequest
from server.http.access import Caller, board_for, commenter, thread_for
from server.http.endpoints import AUTH_ANY, DATE_TIME, PROBLEM, Endpoint
from server.http.requests import blocking, body, time_param
from server.http.services import services
from server.http.sessions import caller_name
from server.store import comments
from server.store.comments import Comment

TARGET_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_NAME = 80
NOTICE = "comment"
"""The notice kind telling a board's connections that a thread changed (its id only)."""
CREATE = "api/comment-create.request.schema.json"
THREAD = "api/comment-thread.schema.json"
AUTH_COMMENTER = "a participant or facilitator token of the board"
AUTH_THREAD = "the thread's author, or a facilitator of the board (or the operator)"
OPERATOR_VISITOR = "operator"
"""The visits key of the operator token, which has no invite."""


def comment_json(comment: Comment, mentions_of: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": comment.id,
        "board": comment.board_id,
        "thread": comment.thread_id,
        "parent": comment.parent_id,
        "target": {"kind": comment.target_kind, "id": comment.target_id},
        "author": {
            "invite": comment.invite_id,
            "name": comment.author_name,
            "party": comment.party,
        },
        "text": comment.text,
        "mentions": list(comment.mentions),
        "created_at": iso(comment.created_at),
        "edited": False,
    }
    if mentions_of is not None:
        data["mentions_me"] = mentions_of in comment.mentions
    return data


def thread_json(found: list[Comment]) -> dict[str, Any]:
    """A thread from its comments, its first comment first."""
    root = found[0]
    resolved_by = None
    if root.resolved_at is not None:
        resolved_by = {"invite": root.resolved_by, "name": root.resolved_by_name}
    return {
        "id": root.id,
        "board": root.board_id,
        "target": {"kind": root.target_kind, "id": root.target_id},
        "resolved": root.resolved_at is not None,
        "resolved_at": None if root.resolved_at is None else iso(root.resolved_at),
        "resolved_by": resolved_by,
        "comments": [comment_json(c) for c in found],
    }


def threads_of(found: list[Comment]) -> list[list[Comment]]:
    """Comments (oldest first) grouped by thread, threads in the order they started."""
    grouped: dict[str, list[Comment]] = {}
    for comment in found:
        grouped.setdefault(comment.thread_id, []).append(comment)
    return [t for t in grouped.values() if t[0].parent_id is None]


async def _target(request: Request, board_id: str, data: dict[str, Any]) -> tuple[str, str, str]:
    """(kind, id, parent) of a new comment: a reply's are its thread's; a first comment's
    must name a note, chain item or section on the board now."""
    engine = services(request).engine
    given = data.get("target")
    parent = data.get("parent")
    if parent is not None:
        root = await blocking(comments.thread_of, engine, board_id, parent)
        if given is not None and (given["kind"], given["id"]) != (root.target_kind, root.target_id):
            raise BadRequest(
                "a reply is about its thread's target; leave 'target' out", field="target"
            )
        return root.target_kind, root.target_id, root.id
    assert given is not None  # the schema requires a target or a parent
    room = await services(request).rooms.get(board_id)
    if not target_exists(room.doc, given["kind"], given["id"]):
        what = given["kind"].replace("_", " ")
        raise BadRequest(f"this board has no {what} with id {given['id']!r}", field="target/id")
    return given["kind"], given["id"], ""


async def post_comment(request: Request) -> Response:
    board, who = await board_for(request, facilitator=False)
    grant = commenter(who)
    data = await body(request, CREATE)
    kind, target_id, parent = await _target(request, board.id, data)
    settings = services(request).settings
    new = comments.NewComment(
        board.id,
        kind,
        target_id,
        parent or None,
        grant.invite_id,
        data["name"].strip(),
        party_of(grant.role, grant.party),
        data["text"].strip(),
        tuple(data.get("mentions", ())),
    )
    bounds = comments.Bounds(
        settings.max_comments_per_board, settings.comments_per_invite_per_minute
    )
    created = await blocking(comments.create, services(request).engine, new, bounds)
    services(request).rooms.notify_board(board.id, NOTICE, created.thread_id)
    return JSONResponse(comment_json(created), status_code=201)


async def list_comments(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    kind = request.query_params.get("target_kind")
    if kind is not None and kind not in ("note", "chain_item", "section"):
        raise BadRequest("'target_kind' is note, chain_item or section", field="target_kind")
    target_id = request.query_params.get("target_id")
    if target_id is not None and not TARGET_ID.fullmatch(target_id):
        raise BadRequest("'target_id' is a note, chain item or section id", field="target_id")
    since = time_param(request, "since")
    found = await blocking(
        comments.board_comments, services(request).engine, board.id, target=(kind, target_id)
    )
    threads = threads_of(found)
    if since is not None:
        after = _microseconds(since)  # as precise as the times the API shows, no more
        threads = [t for t in threads if any(_microseconds(c.created_at) > after for c in t)]
    return JSONResponse({"board": board.id, "threads": [thread_json(t) for t in threads]})


def _microseconds(ts: float) -> int:
    return round(ts * 1_000_000)


async def _set_resolved(request: Request, resolved: bool) -> Response:
    root, board, who = await thread_for(request)
    engine = services(request).engine
    invite = None if who.grant is None else who.grant.invite_id
    given = request.query_params.get("name")
    if given is not None and len(given) > MAX_NAME:
        raise BadRequest(f"'name' has at most {MAX_NAME} characters", field="name")
    name = caller_name(request, who, board.id, given)
    await blocking(comments.set_resolved, engine, root.id, resolved, (invite, name))
    services(request).rooms.notify_board(board.id, NOTICE, root.id)
    return JSONResponse(thread_json(await blocking(comments.thread, engine, root.id)))


async def resolve(request: Request) -> Response:
    return await _set_resolved(request, True)


async def reopen(request: Request) -> Response:
    return await _set_resolved(request, False)


def _visitor(who: Caller) -> tuple[str, str | None]:
    """The key visits are recorded under, and the party mentions are read for."""
    if who.grant is None:
        return OPERATOR_VISITOR, None
    return who.grant.invite_id, party_of(who.grant.role, who.grant.party)


async def post_visit(request: Request) -> Response:
    board, who = await board_for(request, facilitator=False)
    visitor, _ = _visitor(who)
    found = await blocking(comments.record_visit, services(request).engine, visitor, board.id)
    previous = None if found.previous_at is None else iso(found.previous_at)
    return JSONResponse({"board": board.id, "at": iso(found.last_at), "previous_at": previous})


async def get_since_last_visit(request: Request) -> Response:
    board, who = await board_for(request, facilitator=False)
    visitor, party = _visitor(who)
    found = await blocking(since_last_visit, services(request).engine, board.id, visitor, party)
    return JSONResponse(since_json(board.id, party, found))


def since_json(board_id: str, party: str | None, found: SinceLastVisit) -> dict[str, Any]:
    visit = found.visit
    since = None if visit is None or visit.previous_at is None else iso(visit.previous_at)
    return {
        "board": board_id,
        "since": since,
        "until": None if visit is None else iso(visit.last_at),
        "party": party,
        "comments": [comment_json(c, party or "") for c in found.comments],
        "comments_total": found.comments_total,
        "changes": found.changes,
        "changes_total": found.changes_total,
        "authors": [{"name": name, "party": p} for name, p in found.authors],
    }


NAME_QUERY: dict[str, dict[str, Any]] = {
    "name": {"type": "string", "maxLength": MAX_NAME, "description": "who resolves (display name)"}
}
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "POST",
        "/api/boards/{board_id}/comments",
        post_comment,
        "Comment on a note, a chain item or an agreement section, or reply in a thread",
        AUTH_COMMENTER,
        {201: "api/comment.schema.json", 403: PROBLEM, 404: PROBLEM, 429: PROBLEM},
        CREATE,
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/comments",
        list_comments,
        "The board's comment threads, optionally about one kind or one thing, or active since",
        AUTH_ANY,
        {200: "api/comment-list.schema.json", 404: PROBLEM},
        query={
            "target_kind": {"enum": ["note", "chain_item", "section"], "description": "kind"},
            "target_id": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_-]{1,64}$",
                "description": "the thing's id",
            },
            "since": {**DATE_TIME, "description": "threads with a comment made after this"},
        },
    ),
    Endpoint(
        "POST",
        "/api/comments/{comment_id}/resolve",
        resolve,
        "Resolve the thread this comment is in",
        AUTH_THREAD,
        {200: THREAD, 403: PROBLEM, 404: PROBLEM},
        query=NAME_QUERY,
    ),
    Endpoint(
        "POST",
        "/api/comments/{comment_id}/reopen",
        reopen,
        "Reopen the thread this comment is in",
        AUTH_THREAD,
        {200: THREAD, 403: PROBLEM, 404: PROBLEM},
        query=NAME_QUERY,
    ),
    Endpoint(
        "POST",
        "/api/boards/{board_id}/visits",
        post_visit,
        "Record that this invite opened the board (the page does it once per tab)",
        AUTH_ANY,
        {200: "api/visit.schema.json", 404: PROBLEM},
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/since-last-visit",
        get_since_last_visit,
        "What is new for this invite since its previous visit: comments and changes",
        AUTH_ANY,
        {200: "api/since-last-visit.schema.json", 404: PROBLEM},
    ),
)
