"""Workshop sessions, snapshots, exports and evidence bundles.

Facilitators (and the operator) run sessions, take snapshots and export; any token of the
board reads sessions and snapshots and verifies evidence. Snapshots are taken from the
durable log, never from a live room.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from server.archive import bundle, dossiers, export, reports, snapshots, verify
from server.core.errors import Conflict
from server.http.access import Caller, board_for, session_for, snapshot_for
from server.http.endpoints import AUTH_ANY, AUTH_FACILITATOR, AUTH_RECORDS, PROBLEM, Endpoint
from server.http.pages import SECURITY_HEADERS
from server.http.requests import BINARY, blocking, body, choice, wants_binary
from server.http.services import services
from server.http.views import session_json, snapshot_json
from server.store import archive, catalog

FORMATS = ("json", "html", "pdf")
LANGS = ("fr", "en")
BINARY_SCHEMA: dict[str, Any] = {"type": "string", "format": "binary"}
EXPORT_QUERY: dict[str, dict[str, Any]] = {
    "format": {"enum": list(FORMATS), "description": "json (default), html or pdf"},
    "lang": {"enum": list(LANGS), "description": "fr (default) or en"},
}
REPORT_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": "; ".join(
        (
            "default-src 'none'",
            "style-src 'unsafe-inline'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    ),
}
"""The pages' headers, with a policy for a report: its own inline styles and nothing else
(no script, image, font or request), since it shows what participants wrote."""
EXPORT_MEDIA: dict[str, dict[str, Any]] = {
    "text/html": {"type": "string"},
    "application/pdf": BINARY_SCHEMA,
}


def caller_name(request: Request, who: Caller, board_id: str, given: object = None) -> str | None:
    """The display name of the person calling: the ``name`` their request gave, else the one
    their connection to this board gave (the facilitator's panel is on the board page). None
    for the operator, or when this instance holds no connection of the invite."""
    if isinstance(given, str) and given.strip():
        return given.strip()
    room = services(request).rooms.live(board_id)
    if who.grant is None or room is None:
        return None
    invite = who.grant.invite_id
    names = sorted(p.name for p in room.peers if p.grant.invite_id == invite and p.name)
    return names[0] if names else None


async def _taker(
    request: Request, who: Caller, board_id: str, given: object = None
) -> snapshots.Taker:
    if who.grant is None:
        return snapshots.Taker(None, "operator", None)
    invite = await blocking(catalog.get_invite, services(request).engine, who.grant.invite_id)
    label = invite.label if invite else None
    name = caller_name(request, who, board_id, given)
    return snapshots.Taker(who.grant.invite_id, who.grant.role.value, label, name)


async def _session_response(request: Request, session: archive.Session, status: int) -> Response:
    rows = await blocking(archive.session_snapshots, services(request).engine, session.id)
    return JSONResponse(session_json(session, rows), status_code=status)


async def start_session(request: Request) -> Response:
    board, who = await board_for(request, facilitator=True)
    data = await body(request, "api/session-create.request.schema.json")
    title = data["title"].strip()
    engine = services(request).engine
    if await blocking(archive.open_session, engine, board.id) is not None:
        raise Conflict("this board already has an open session; end it first", board=board.id)
    taker = await _taker(request, who, board.id, data.get("name"))
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
        snapshots.take_snapshot,
        engine,
        board.id,
        kind="session_start",
        taker=taker,
        session=session,
    )
    assert taken.session is not None
    return await _session_response(request, taken.session, 201)


async def end_session(request: Request) -> Response:
    session, board, who = await session_for(request, facilitator=True)
    if not session.is_open:
        raise Conflict("this session has already ended", session=session.id)
    taken = await blocking(
        snapshots.take_snapshot,
        services(request).engine,
        board.id,
        kind="session_end",
        taker=await _taker(request, who, board.id),
        session=session,
    )
    assert taken.session is not None
    return await _session_response(request, taken.session, 200)


async def get_session(request: Request) -> Response:
    session, _, _ = await session_for(request, facilitator=False)
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


async def take_board_snapshot(request: Request) -> Response:
    board, who = await board_for(request, facilitator=True)
    data = await body(request, "api/snapshot-create.request.schema.json")
    label = data.get("label")
    taken = await blocking(
        snapshots.take_snapshot,
        services(request).engine,
        board.id,
        kind="manual",
        taker=await _taker(request, who, board.id, data.get("name")),
        label=label.strip() if isinstance(label, str) and label.strip() else None,
    )
    return JSONResponse(snapshot_json(taken.snapshot), status_code=201)


async def list_board_snapshots(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    rows = await blocking(archive.board_snapshots, services(request).engine, board.id)
    return JSONResponse({"board": board.id, "snapshots": [snapshot_json(row) for row in rows]})


async def get_snapshot(request: Request) -> Response:
    snapshot, _ = await snapshot_for(request, "snapshot_id", facilitator=False)
    content = await blocking(archive.snapshot_content, services(request).engine, snapshot.id)
    if wants_binary(request):
        headers = {
            "X-Atelier-Seq": str(snapshot.seq),
            "X-Atelier-Snapshot-Hash": snapshot.hash,
            "Content-Disposition": f'attachment; filename="snapshot-{snapshot.id}.yjs"',
        }
        return Response(content.state, media_type=BINARY, headers=headers)
    data = snapshot_json(snapshot)
    data["projection"] = json.loads(content.projection)
    return JSONResponse(data)


async def export_snapshot(request: Request) -> Response:
    snapshot, _ = await snapshot_for(request, "snapshot_id", facilitator=False, records=True)
    return await _export(request, "snapshot", snapshot.id, f"snapshot-{snapshot.id}")


async def export_session(request: Request) -> Response:
    session, _, _ = await session_for(request, facilitator=False, records=True)
    return await _export(request, "session", session.id, f"session-{session.id}")


async def _export(
    request: Request, kind: Literal["snapshot", "session"], ident: str, stem: str
) -> Response:
    form, lang = choice(request, "format", FORMATS), choice(request, "lang", LANGS)
    dossier = await blocking(dossiers.dossier, services(request).engine, kind, ident)
    if form == "json":
        return JSONResponse(await blocking(export.export_json, dossier, lang))
    if form == "html":
        html = await blocking(reports.render_html, dossier, lang)
        disposition = f'attachment; filename="atelier-{stem}-{lang}.html"'
        return HTMLResponse(html, headers={**REPORT_HEADERS, "Content-Disposition": disposition})
    pdf = await blocking(reports.render_pdf, dossier, lang)
    disposition = f'inline; filename="atelier-{stem}-{lang}.pdf"'
    headers = {"X-Content-Type-Options": "nosniff", "Content-Disposition": disposition}
    return Response(pdf, media_type="application/pdf", headers=headers)


async def session_evidence(request: Request) -> Response:
    session, board, _ = await session_for(request, facilitator=False, records=True)
    if session.is_open:
        raise Conflict("the session is still open: end it before exporting its evidence")
    dossier = await blocking(dossiers.session_dossier, services(request).engine, session.id)
    zipped = await blocking(bundle.build_bundle, dossier)
    name = f"atelier-{board.id}-{session.id}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(zipped, media_type="application/zip", headers=headers)


async def verify_session_evidence(request: Request) -> Response:
    session, _, _ = await session_for(request, facilitator=False)
    if session.is_open:
        raise Conflict("the session is still open: its evidence is complete once it ends")
    verdict = await blocking(verify.verify_session, services(request).engine, session.id)
    return JSONResponse({"session": session.id, **verdict.to_json()})


ENDPOINTS: tuple[Endpoint, ...] = (
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
        "/api/snapshots/{snapshot_id}/export",
        export_snapshot,
        "Export a snapshot as JSON, HTML or PDF",
        AUTH_RECORDS,
        {200: "export.schema.json", 404: PROBLEM},
        query=EXPORT_QUERY,
        media=EXPORT_MEDIA,
    ),
    Endpoint(
        "GET",
        "/api/sessions/{session_id}/export",
        export_session,
        "Export a session as JSON, HTML or PDF",
        AUTH_RECORDS,
        {200: "export.schema.json", 404: PROBLEM},
        query=EXPORT_QUERY,
        media=EXPORT_MEDIA,
    ),
    Endpoint(
        "GET",
        "/api/sessions/{session_id}/evidence",
        session_evidence,
        "The session's evidence bundle (zip), checked offline by `atelier verify`",
        AUTH_RECORDS,
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
)
