"""The archive's HTTP API: sessions, snapshots, replay, session diffs, exports and evidence.

Declared as ``ARCHIVE_ENDPOINTS`` in the same table form as ``api.ENDPOINTS``. Everything
here reads the durable log, its checkpoints and the stored snapshots, never a live room.
Facilitators (and the operator) run sessions, take snapshots and export; any token of the
board reads the archive, replays it and verifies evidence.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from server.archive import evidence, replay
from server.archive.contributions import Span, tally
from server.boards.diff import diff
from server.core.clock import iso
from server.core.errors import BadRequest, Conflict, Forbidden, NotFound
from server.http.boards import (
    AUTH_ANY,
    AUTH_FACILITATOR,
    DATE_TIME,
    Caller,
    Endpoint,
    blocking,
    board_for,
    body,
    caller,
    services,
    time_param,
)
from server.store import archive, catalog

BINARY = "application/octet-stream"
HISTORY_DEFAULT_LIMIT = 50
HISTORY_MAX_LIMIT = 500
FORMATS = ("json", "html", "pdf")
LANGS = ("fr", "en")
IDENT = re.compile(r"[0-9a-f]{1,32}")


# -- who may touch what -------------------------------------------------------------------


def _check(who: Caller, board: catalog.Board, *, facilitator: bool) -> None:
    if facilitator and not who.facilitates(board):
        raise Forbidden("this action needs a facilitator token of this board")
    if not who.reads(board):
        raise Forbidden("this token is for another board")


async def _session_for(
    request: Request, *, facilitator: bool
) -> tuple[archive.Session, catalog.Board, Caller]:
    who = await caller(request)
    engine = services(request).engine
    session_id = _ident(request, "session_id", "session")
    session = await blocking(archive.get_session, engine, session_id)
    board = await blocking(catalog.require_board, engine, session.board_id)
    _check(who, board, facilitator=facilitator)
    return session, board, who


async def _snapshot_for(
    request: Request, name: str, *, facilitator: bool
) -> tuple[archive.Snapshot, catalog.Board]:
    who = await caller(request)
    engine = services(request).engine
    snapshot = await blocking(archive.get_snapshot, engine, _ident(request, name, "snapshot"))
    board = await blocking(catalog.require_board, engine, snapshot.board_id)
    _check(who, board, facilitator=facilitator)
    return snapshot, board


def _ident(request: Request, name: str, what: str) -> str:
    value: str = request.path_params[name]
    if not IDENT.fullmatch(value):
        raise NotFound(f"no {what} with id {value!r}")
    return value


async def _taker(request: Request, who: Caller) -> evidence.Taker:
    if who.grant is None:
        return evidence.Taker(None, "operator", None)
    invite = await blocking(catalog.get_invite, services(request).engine, who.grant.invite_id)
    label = invite.label if invite else None
    return evidence.Taker(who.grant.invite_id, who.grant.role.value, label)


# -- query parameters -----------------------------------------------------------------------


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"'{name}' must be a whole number", field=name) from exc
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high}", field=name)
    return value


def _choice(request: Request, name: str, choices: tuple[str, ...]) -> str:
    value = request.query_params.get(name, choices[0])
    if value not in choices:
        raise BadRequest(f"'{name}' must be one of {', '.join(choices)}", field=name)
    return value


def _wants_binary(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return BINARY in accept and "application/json" not in accept


MAX_SEQ = 2**63 - 1


# -- JSON shapes ----------------------------------------------------------------------------


def snapshot_json(snapshot: archive.Snapshot) -> dict[str, Any]:
    header = evidence.header_of(snapshot)
    return {
        "id": snapshot.id,
        "board": snapshot.board_id,
        "number": snapshot.number,
        "session": snapshot.session_id,
        "kind": snapshot.kind,
        "label": header["label"],
        "taken_at": header["taken_at"],
        "author": header["author"],
        "seq": snapshot.seq,
        "log": header["log"],
        "state_sha256": header["state_sha256"],
        "projection_sha256": header["projection_sha256"],
        "prev": header["prev"],
        "hash": snapshot.hash,
    }


def session_json(session: archive.Session, snapshots: list[archive.Snapshot]) -> dict[str, Any]:
    return {
        "id": session.id,
        "board": session.board_id,
        "title": session.title,
        "open": session.is_open,
        "started_at": iso(session.started_at),
        "ended_at": None if session.ended_at is None else iso(session.ended_at),
        "started_by": {"invite": session.started_by, "label": session.started_by_label},
        "ended_by": session.ended_by,
        "snapshots": [snapshot_json(snapshot) for snapshot in snapshots],
    }


async def _session_response(request: Request, session: archive.Session, status: int) -> Response:
    rows = await blocking(archive.session_snapshots, services(request).engine, session.id)
    return JSONResponse(session_json(session, rows), status_code=status)


# -- sessions -------------------------------------------------------------------------------


async def start_session(request: Request) -> Response:
    board, who = await board_for(request, facilitator=True)
    title = (await body(request, "api/session-create.request.schema.json"))["title"].strip()
    engine = services(request).engine
    if await blocking(archive.open_session, engine, board.id) is not None:
        raise Conflict("this board already has an open session; end it first", board=board.id)
    taker = await _taker(request, who)
    session = archive.Session(
        id=secrets.token_hex(8),
        board_id=board.id,
        title=title,
        started_at=0.0,
        started_by=taker.invite,
        started_by_label=taker.label,
        ended_at=None,
        ended_by=None,
    )
    taken = await blocking(
        evidence.take_snapshot,
        engine,
        board.id,
        kind="session_start",
        taker=taker,
        session=session,
    )
    assert taken.session is not None
    return await _session_response(request, taken.session, 201)


async def end_session(request: Request) -> Response:
    session, board, who = await _session_for(request, facilitator=True)
    if not session.is_open:
        raise Conflict("this session has already ended", session=session.id)
    taken = await blocking(
        evidence.take_snapshot,
        services(request).engine,
        board.id,
        kind="session_end",
        taker=await _taker(request, who),
        session=session,
    )
    assert taken.session is not None
    return await _session_response(request, taken.session, 200)


async def get_session(request: Request) -> Response:
    session, _, _ = await _session_for(request, facilitator=False)
    return await _session_response(request, session, 200)


async def list_board_sessions(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    engine = services(request).engine
    found = await blocking(archive.list_sessions, engine, board.id)
    snapshots = await blocking(archive.board_snapshots, engine, board.id)
    return JSONResponse(
        {
            "board": board.id,
            "sessions": [
                session_json(s, [x for x in snapshots if x.session_id == s.id]) for s in found
            ],
        }
    )


# -- snapshots ------------------------------------------------------------------------------


async def take_board_snapshot(request: Request) -> Response:
    board, who = await board_for(request, facilitator=True)
    label = (await body(request, "api/snapshot-create.request.schema.json")).get("label")
    taken = await blocking(
        evidence.take_snapshot,
        services(request).engine,
        board.id,
        kind="manual",
        taker=await _taker(request, who),
        label=label.strip() if isinstance(label, str) and label.strip() else None,
    )
    return JSONResponse(snapshot_json(taken.snapshot), status_code=201)


async def list_board_snapshots(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    rows = await blocking(archive.board_snapshots, services(request).engine, board.id)
    return JSONResponse({"board": board.id, "snapshots": [snapshot_json(row) for row in rows]})


async def get_snapshot(request: Request) -> Response:
    snapshot, _ = await _snapshot_for(request, "snapshot_id", facilitator=False)
    content = await blocking(archive.snapshot_content, services(request).engine, snapshot.id)
    if _wants_binary(request):
        headers = {
            "X-Atelier-Seq": str(snapshot.seq),
            "X-Atelier-Snapshot-Hash": snapshot.hash,
            "Content-Disposition": f'attachment; filename="snapshot-{snapshot.id}.yjs"',
        }
        return Response(content.state, media_type=BINARY, headers=headers)
    data = snapshot_json(snapshot)
    data["projection"] = json.loads(content.projection)
    return JSONResponse(data)


async def snapshot_diff(request: Request) -> Response:
    first, board = await _snapshot_for(request, "snapshot_id", facilitator=False)
    second, other = await _snapshot_for(request, "other_id", facilitator=False)
    if board.id != other.id:
        raise BadRequest("both snapshots must belong to the same board")
    engine = services(request).engine
    result = await blocking(_diff, engine, first, second)
    return JSONResponse(result)


def _diff(engine: Any, first: archive.Snapshot, second: archive.Snapshot) -> dict[str, Any]:
    """Changes from ``first`` to ``second`` and the balance of voice over the log between
    them (whichever is earlier)."""
    frames = {s.id: archive.snapshot_content(engine, s.id) for s in (first, second)}
    before, after = (
        evidence.Frame(s, frames[s.id].state, frames[s.id].projection) for s in (first, second)
    )
    low, high = sorted((before, after), key=lambda f: f.row.seq)
    logged = archive.entries(engine, first.board_id, after_seq=low.row.seq, upto_seq=high.row.seq)
    figures = tally(first.board_id, logged, Span(), base_state=low.state)
    figures["from"], figures["to"] = low.header["taken_at"], high.header["taken_at"]
    changes = diff(before.projection, after.projection)
    return {
        "board": first.board_id,
        "from": snapshot_json(first),
        "to": snapshot_json(second),
        "changes": [change.to_json() for change in changes],
        "contributions": figures,
    }


# -- replay ---------------------------------------------------------------------------------


async def board_history(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    from_seq = _int_param(request, "from_seq", 0, 0, MAX_SEQ)
    limit = _int_param(request, "limit", HISTORY_DEFAULT_LIMIT, 1, HISTORY_MAX_LIMIT)
    timeline = await blocking(
        replay.history, services(request).engine, board.id, from_seq=from_seq, limit=limit
    )
    return JSONResponse(timeline)


async def board_state(request: Request) -> Response:
    """The board after its last update at or before ``seq`` and ``at`` (the earlier of the two
    when both are given; the latest without either)."""
    board, _ = await board_for(request, facilitator=False)
    seq = _int_param(request, "seq", MAX_SEQ, 0, MAX_SEQ)
    at = time_param(request, "at")
    binary = _wants_binary(request)
    engine = services(request).engine
    found = await blocking(_state, engine, board.id, seq, at, binary)
    if found is None:
        raise NotFound("the board had no logged update at that point", board=board.id)
    point, content = found
    headers = {"X-Atelier-Seq": str(point.seq), "X-Atelier-At": iso(point.at)}
    media = BINARY if binary else "application/json"
    return Response(content, media_type=media, headers=headers)


def _state(
    engine: Any, board_id: str, seq: int, at: float | None, binary: bool
) -> tuple[replay.Point, bytes] | None:
    """The point and its reply body, computed in one trip to a worker thread."""
    point = replay.state_at(engine, board_id, seq=seq, at=at)
    if point is None:
        return None
    if binary:
        return point, point.state
    data = {"board": board_id, "seq": point.seq, "at": iso(point.at)}
    data["projection"] = point.projection()
    return point, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def board_stats(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    return JSONResponse(await blocking(_stats, services(request).engine, board.id))


def _stats(engine: Any, board_id: str) -> dict[str, Any]:
    log = archive.log_span(engine, board_id)
    snapshots = archive.board_snapshots(engine, board_id)
    return {
        "board": board_id,
        "updates": {
            "count": log.count,
            "bytes": log.bytes,
            "first_seq": log.first.seq if log.first else None,
            "last_seq": log.last.seq if log.last else None,
            "first_at": iso(log.first.at) if log.first else None,
            "last_at": iso(log.last.at) if log.last else None,
        },
        "checkpoints": _sizes(archive.checkpoint_sizes(engine, board_id)),
        "replay_checkpoints": _sizes(archive.replay_checkpoint_sizes(engine, board_id)),
        "snapshots": _sizes(archive.snapshot_sizes(engine, board_id)),
        "sessions": [
            _session_growth(engine, s, [x for x in snapshots if x.session_id == s.id], log)
            for s in archive.list_sessions(engine, board_id)
        ],
    }


def _sizes(sizes: archive.Sizes) -> dict[str, int]:
    return {"count": sizes.count, "bytes": sizes.bytes}


def _session_growth(
    engine: Any, session: archive.Session, snapshots: list[archive.Snapshot], log: archive.Span
) -> dict[str, Any]:
    """Updates logged from the session's first snapshot to its last (or to now, while open)."""
    start = snapshots[0].seq if snapshots else 0
    end = snapshots[-1].seq if snapshots and not session.is_open else None
    span = archive.log_span(engine, session.board_id, after_seq=start, upto_seq=end)
    return {
        "id": session.id,
        "title": session.title,
        "open": session.is_open,
        "from_seq": start,
        "to_seq": end if end is not None else (log.last.seq if log.last else start),
        "updates": span.count,
        "bytes": span.bytes,
        "snapshots": len(snapshots),
    }


# -- exports and evidence ---------------------------------------------------------------------


async def export_snapshot(request: Request) -> Response:
    snapshot, _ = await _snapshot_for(request, "snapshot_id", facilitator=True)
    return await _export(request, "snapshot", snapshot.id, f"snapshot-{snapshot.id}")


async def export_session(request: Request) -> Response:
    session, _, _ = await _session_for(request, facilitator=True)
    return await _export(request, "session", session.id, f"session-{session.id}")


async def _export(request: Request, kind: Any, ident: str, stem: str) -> Response:
    form, lang = _choice(request, "format", FORMATS), _choice(request, "lang", LANGS)
    dossier = await blocking(evidence.dossier, services(request).engine, kind, ident)
    if form == "json":
        return JSONResponse(await blocking(evidence.export_json, dossier, lang))
    if form == "html":
        return HTMLResponse(await blocking(evidence.render_html, dossier, lang))
    pdf = await blocking(evidence.render_pdf, dossier, lang)
    disposition = f'inline; filename="atelier-{stem}-{lang}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


async def session_evidence(request: Request) -> Response:
    session, board, _ = await _session_for(request, facilitator=True)
    if session.is_open:
        raise Conflict("the session is still open: end it before exporting its evidence")
    dossier = await blocking(evidence.session_dossier, services(request).engine, session.id)
    bundle = await blocking(evidence.build_bundle, dossier)
    name = f"atelier-{board.id}-{session.id}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(bundle, media_type="application/zip", headers=headers)


async def verify_session_evidence(request: Request) -> Response:
    session, _, _ = await _session_for(request, facilitator=False)
    if session.is_open:
        raise Conflict("the session is still open: its evidence is complete once it ends")
    verdict = await blocking(evidence.verify_session, services(request).engine, session.id)
    return JSONResponse({"session": session.id, **verdict.to_json()})


# -- the table ------------------------------------------------------------------------------

PROBLEM = "problem.schema.json"
SEQ: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_SEQ}
BINARY_SCHEMA: dict[str, Any] = {"type": "string", "format": "binary"}
EXPORT_QUERY: dict[str, dict[str, Any]] = {
    "format": {"enum": list(FORMATS), "description": "json (default), html or pdf"},
    "lang": {"enum": list(LANGS), "description": "fr (default) or en"},
}
EXPORT_MEDIA: dict[str, dict[str, Any]] = {
    "text/html": {"type": "string"},
    "application/pdf": BINARY_SCHEMA,
}

ARCHIVE_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "POST",
        "/api/boards/{board_id}/sessions",
        start_session,
        "Start a workshop session (takes a snapshot); one open session per board",
        AUTH_FACILITATOR,
        {201: "api/session.schema.json", 404: PROBLEM, 409: PROBLEM},
        "api/session-create.request.schema.json",
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/sessions",
        list_board_sessions,
        "A board's sessions with their snapshots",
        AUTH_ANY,
        {200: "api/session-list.schema.json", 404: PROBLEM},
    ),
    Endpoint(
        "GET",
        "/api/sessions/{session_id}",
        get_session,
        "A session with its snapshots",
        AUTH_ANY,
        {200: "api/session.schema.json", 404: PROBLEM},
    ),
    Endpoint(
        "POST",
        "/api/sessions/{session_id}/end",
        end_session,
        "End a session (takes a snapshot)",
        AUTH_FACILITATOR,
        {200: "api/session.schema.json", 404: PROBLEM, 409: PROBLEM},
    ),
    Endpoint(
        "POST",
        "/api/boards/{board_id}/snapshots",
        take_board_snapshot,
        "Take a snapshot of the board as durably logged now",
        AUTH_FACILITATOR,
        {201: "api/snapshot.schema.json", 404: PROBLEM},
        "api/snapshot-create.request.schema.json",
        body_required=False,
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/snapshots",
        list_board_snapshots,
        "A board's snapshot chain, oldest first",
        AUTH_ANY,
        {200: "api/snapshot-list.schema.json", 404: PROBLEM},
    ),
    Endpoint(
        "GET",
        "/api/snapshots/{snapshot_id}",
        get_snapshot,
        "A snapshot with its projection (or its Yjs state with Accept: application/octet-stream)",
        AUTH_ANY,
        {200: "api/snapshot.schema.json", 404: PROBLEM},
        media={BINARY: BINARY_SCHEMA},
    ),
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
        "/api/snapshots/{snapshot_id}/export",
        export_snapshot,
        "Export a snapshot as JSON, HTML or PDF",
        AUTH_FACILITATOR,
        {200: "export.schema.json", 404: PROBLEM},
        query=EXPORT_QUERY,
        media=EXPORT_MEDIA,
    ),
    Endpoint(
        "GET",
        "/api/sessions/{session_id}/export",
        export_session,
        "Export a session as JSON, HTML or PDF",
        AUTH_FACILITATOR,
        {200: "export.schema.json", 404: PROBLEM},
        query=EXPORT_QUERY,
        media=EXPORT_MEDIA,
    ),
    Endpoint(
        "GET",
        "/api/sessions/{session_id}/evidence",
        session_evidence,
        "The session's evidence bundle (zip), checked offline by `atelier verify`",
        AUTH_FACILITATOR,
        {404: PROBLEM, 409: PROBLEM},
        media={"application/zip": BINARY_SCHEMA},
    ),
    Endpoint(
        "GET",
        "/api/sessions/{session_id}/evidence/verify",
        verify_session_evidence,
        "Verify the session's evidence as stored (hashes, chain, log, schemas)",
        AUTH_ANY,
        {200: "api/session-verify.schema.json", 404: PROBLEM, 409: PROBLEM},
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/history",
        board_history,
        "The board's timeline: who changed what, step by step",
        AUTH_ANY,
        {200: "api/history.schema.json", 404: PROBLEM},
        query={
            "from_seq": {**SEQ, "description": "first log position to show (default 0)"},
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
        "/api/boards/{board_id}/stats",
        board_stats,
        "Storage figures: log, checkpoints, snapshots, growth per session",
        AUTH_ANY,
        {200: "api/stats.schema.json", 404: PROBLEM},
    ),
)
