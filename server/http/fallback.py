"""The HTTP fallback of board connections (``sync.stream``): its two routes.

``GET /api/boards/{id}/stream`` is admitted exactly like ``/ws/boards/{id}`` and answers a
``text/event-stream``; ``POST /api/boards/{id}/stream/{session}`` carries the client's
messages. A refusal is problem+json with the HTTP status matching the close code, and the
close code itself (``close_code``), so the client handles it as it would a socket's close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from server.core.errors import AtelierError, CloseCode, ContentTooLarge
from server.core.settings import Settings
from server.http.connections import ABORT_HOOK, SHUTDOWN_HOOK
from server.http.endpoints import PROBLEM, Endpoint
from server.http.problems import problem_response
from server.http.requests import read_body
from server.http.services import services
from server.sync.endpoint import BoardEndpoint
from server.sync.stream import (
    CLOSE_TIMEOUT_SECONDS,
    MAX_PREFIX_BYTES,
    StreamSession,
    StreamSessions,
    UnknownSession,
)

logger = logging.getLogger("atelier.ws")

STATUS_OF_CLOSE: dict[CloseCode, tuple[int, str]] = {
    CloseCode.NORMAL: (404, "Not found"),
    CloseCode.GOING_AWAY: (404, "Not found"),
    CloseCode.TOO_BIG: (413, "Content too large"),
    CloseCode.INTERNAL: (500, "Internal server error"),
    CloseCode.OVERLOADED: (503, "Service unavailable"),
    CloseCode.MALFORMED: (400, "Bad request"),
    CloseCode.UNAUTHENTICATED: (401, "Unauthenticated"),
    CloseCode.FORBIDDEN: (403, "Forbidden"),
    CloseCode.NO_SUCH_BOARD: (404, "Not found"),
    CloseCode.RATE_LIMITED: (429, "Too many requests"),
}
"""The HTTP answer that says what a close code says (1000/1001: the session is gone)."""
STREAM_HEADERS = {
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx and compatible proxies: do not buffer the stream
}
SESSION_GONE = "this session has ended; open a new stream"
NOT_YOURS = "this session belongs to another connection"
AUTH_CONNECTION = "an invite token covering the board (query 'token' or Authorization: Bearer)"


def refusal(code: CloseCode, detail: str, **extra: Any) -> Response:
    """problem+json carrying the close code, with the status that matches it."""
    status, title = STATUS_OF_CLOSE[code]
    response = problem_response(status, title, detail, close_code=int(code), **extra)
    if code in (CloseCode.OVERLOADED, CloseCode.RATE_LIMITED):
        response.headers["Retry-After"] = "1"
    return response


def _sessions(request: Request) -> StreamSessions:
    sessions: StreamSessions = request.app.state.board_streams
    return sessions


def _token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.query_params.get("token", "")


async def open_stream(request: Request) -> Response:
    board_id = request.path_params["board_id"]
    query = {**request.query_params, "token": _token(request)}
    endpoint: BoardEndpoint = request.app.state.board_endpoint
    try:
        admission = await endpoint.admit(board_id, query)
    except AtelierError as exc:
        return refusal(exc.close_code, exc.detail, **exc.extra)
    except Exception:  # e.g. the database is unreachable while loading the board
        logger.exception("board %s: could not open", board_id, extra={"board": board_id})
        return refusal(CloseCode.INTERNAL, "the board could not be opened")
    session = _sessions(request).open(admission, query["token"])
    return EventStream(session, _sessions(request), services(request).settings)


async def post_messages(request: Request) -> Response:
    board_id = request.path_params["board_id"]
    sessions = _sessions(request)
    try:
        session = sessions.find(board_id, request.path_params["session_id"])
    except UnknownSession as gone:
        return refusal(gone.code or CloseCode.GOING_AWAY, SESSION_GONE)
    token = _token(request)
    if not session.holds(token):
        try:
            await sessions.grant_for(board_id, token)
        except AtelierError as exc:
            return refusal(exc.close_code, exc.detail, **exc.extra)
        return refusal(CloseCode.FORBIDDEN, NOT_YOURS)
    try:
        body = await read_body(request, sessions.max_message_bytes + MAX_PREFIX_BYTES)
    except ContentTooLarge:
        code = sessions.refuse_oversized(session)
    else:
        code = sessions.post(session, body)
    if code is not None:
        return refusal(code, session.link.close_sent[1] if session.link.close_sent else "closed")
    return JSONResponse({"session": session.id, "open": True})


class EventStream(StreamingResponse):
    """The session's events as the response body, until it closes or the client goes."""

    def __init__(self, session: StreamSession, sessions: StreamSessions, settings: Settings):
        super().__init__(_nothing(), media_type="text/event-stream", headers=STREAM_HEADERS)
        self._session, self._sessions = session, sessions
        self._ping = (settings.ping_interval_seconds, settings.ping_timeout_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})
        peer = self._session.peer
        state[SHUTDOWN_HOOK] = lambda: peer.close(CloseCode.GOING_AWAY, "the server is restarting")
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})

            async def push(chunk: bytes) -> None:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})

            pumping = self._session.pump(push, *self._ping)
            clean = await _until_disconnect(pumping, receive)
        finally:
            self._sessions.end(self._session)
        if clean:
            last = send({"type": "http.response.body", "body": b"", "more_body": False})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(last, CLOSE_TIMEOUT_SECONDS)
                return
        if clean is not None and callable(abort := state.get(ABORT_HOOK)):
            abort()  # the client stopped reading or answering: drop the connection


async def _until_disconnect(pumping: Any, receive: Receive) -> bool | None:
    """The pump's verdict, or None when the client went first."""
    async with asyncio.TaskGroup() as group:
        pump = group.create_task(pumping)
        watch = group.create_task(_disconnected(receive))
        await asyncio.wait((pump, watch), return_when=asyncio.FIRST_COMPLETED)
        pump.cancel()
        watch.cancel()
    return None if pump.cancelled() else bool(pump.result())


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover - makes this an (empty) async generator


STREAM_QUERY: dict[str, dict[str, Any]] = {
    "token": {"type": "string", "description": "the invite token (or Authorization: Bearer)"},
    "name": {"type": "string", "description": "display name shown to the others"},
    "party": {"type": "string", "description": "the party the connection speaks for"},
    "acks": {"enum": ["1"], "description": "1: receive durable acks (message 100)"},
}
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/api/boards/{board_id}/stream",
        open_stream,
        "HTTP fallback of the board connection: server-sent events (session, message in "
        "base64, ping, close)",
        AUTH_CONNECTION,
        {401: PROBLEM, 404: PROBLEM, 429: PROBLEM},
        query=STREAM_QUERY,
        media={"text/event-stream": {"type": "string"}},
    ),
    Endpoint(
        "POST",
        "/api/boards/{board_id}/stream/{session_id}",
        post_messages,
        "HTTP fallback: the client's y-websocket messages, each a lib0 varUint length then "
        "its bytes (application/octet-stream; empty answers a ping)",
        AUTH_CONNECTION,
        {200: "api/stream-post.schema.json", 404: PROBLEM, 413: PROBLEM, 429: PROBLEM},
        "api/stream-messages.request.schema.json",
        body_required=False,
        query={"token": STREAM_QUERY["token"]},
        request_media="application/octet-stream",
    ),
)
