"""A board's past from its durable log: timeline, state at a point, diffs, storage figures.

Everything here reads the log, its checkpoints and stored snapshots, never a live room;
any token of the board may read it.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.archive import history, replay, stats
from server.archive.approved import approved_text
from server.archive.compare import compare_snapshots
from server.boards.labels import SECTION_BY_ID
from server.core.clock import iso
from server.core.errors import BadRequest, NotFound
from server.http.access import board_for, snapshot_for
from server.http.endpoints import AUTH_ANY, DATE_TIME, PROBLEM, Endpoint
from server.http.requests import (
    BINARY,
    MAX_SEQ,
    blocking,
    int_param,
    time_param,
    wants_binary,
)
from server.http.services import services
from server.http.views import snapshot_json

HISTORY_DEFAULT_LIMIT = 50
HISTORY_MAX_LIMIT = 500
SEQ: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_SEQ}
BINARY_SCHEMA: dict[str, Any] = {"type": "string", "format": "binary"}
HASH = re.compile(r"[0-9a-f]{64}")


async def snapshot_diff(request: Request) -> Response:
    first, board = await snapshot_for(request, "snapshot_id", facilitator=False)
    second, other = await snapshot_for(request, "other_id", facilitator=False)
    if board.id != other.id:
        raise BadRequest("both snapshots must belong to the same board")
    compared = await blocking(compare_snapshots, services(request).engine, first, second)
    return JSONResponse(
        {"board": first.board_id, "from": snapshot_json(first), "to": snapshot_json(second)}
        | compared
    )


async def board_history(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    from_seq = int_param(request, "from_seq", 0, 0, MAX_SEQ)
    limit = int_param(request, "limit", HISTORY_DEFAULT_LIMIT, 1, HISTORY_MAX_LIMIT)
    timeline = await blocking(
        history.history, services(request).engine, board.id, from_seq=from_seq, limit=limit
    )
    return JSONResponse(timeline)


async def board_state(request: Request) -> Response:
    """The board after its last update at or before ``seq`` and ``at`` (the earlier of the two
    when both are given; the latest without either)."""
    board, _ = await board_for(request, facilitator=False)
    seq = int_param(request, "seq", MAX_SEQ, 0, MAX_SEQ)
    at = time_param(request, "at")
    binary = wants_binary(request)
    engine = services(request).engine
    found = await blocking(replay.state_reply, engine, board.id, seq, at, binary)
    if found is None:
        raise NotFound("the board had no logged update at that point", board=board.id)
    point, content = found
    headers = {"X-Atelier-Seq": str(point.seq), "X-Atelier-At": iso(point.at)}
    media = BINARY if binary else "application/json"
    return Response(content, media_type=media, headers=headers)


async def board_approved_text(request: Request) -> Response:
    """The text of an agreement section whose SHA-256 is ``hash``, from the log: what a party
    approved, so that it can see what changed since (``at``, the approval's time, is a hint
    where to look first)."""
    board, _ = await board_for(request, facilitator=False)
    section = request.path_params["section_id"]
    digest = request.query_params.get("hash", "")
    if section not in SECTION_BY_ID:
        raise NotFound("no such agreement section", board=board.id)
    if not HASH.fullmatch(digest):
        raise BadRequest("hash must be 64 lowercase hexadecimal digits")
    near = time_param(request, "at")
    engine = services(request).engine
    found = await blocking(approved_text, engine, board.id, section, digest, near)
    if found is None:
        raise NotFound("the board's log never held that text", board=board.id)
    body = {"board": board.id, "section": section, "hash": digest, "text": found.text}
    return JSONResponse(body | {"seq": found.seq, "at": iso(found.at)})


async def board_stats(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    return JSONResponse(await blocking(stats.board_stats, services(request).engine, board.id))


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/api/snapshots/{snapshot_id}/diff/{other_id}",
        snapshot_diff,
        "What changed between two snapshots of a board, and who contributed in between",
        AUTH_ANY,
        {200: "api/diff.schema.json", 404: PROBLEM},
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/history",
        board_history,
        "The board's timeline: who changed what, step by step",
        AUTH_ANY,
        {200: "api/history.schema.json", 404: PROBLEM},
        query={
            "from_seq": {
                **SEQ,
                "description": "first log position to show (default 0); from a step's start "
                "(next_from_seq) the page is read from the steps built ahead",
            },
            "limit": {
                "type": "integer",
                "minimum": 1,
                "maximum": HISTORY_MAX_LIMIT,
                "description": f"most steps (default {HISTORY_DEFAULT_LIMIT})",
            },
        },
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/state",
        board_state,
        "The board at a log position or a time (or its Yjs state with Accept: "
        "application/octet-stream)",
        AUTH_ANY,
        {200: "api/state.schema.json", 404: PROBLEM},
        query={
            "seq": {**SEQ, "description": "log position (default: the latest)"},
            "at": {**DATE_TIME, "description": "ISO 8601 date-time; with seq, the earlier"},
        },
        media={BINARY: BINARY_SCHEMA},
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/agreement/{section_id}/approved-text",
        board_approved_text,
        "The text of an agreement section that had a given hash (what a party approved)",
        AUTH_ANY,
        {200: "api/approved-text.schema.json", 400: PROBLEM, 404: PROBLEM},
        query={
            "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "textHash"},
            "at": {**DATE_TIME, "description": "the approval's time: where to look first"},
        },
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/stats",
        board_stats,
        "Storage figures: log, checkpoints, snapshots, growth per session",
        AUTH_ANY,
        {200: "api/stats.schema.json", 404: PROBLEM},
    ),
)
