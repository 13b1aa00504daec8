"""Close codes and HTTP problems: every way the server refuses something, named once."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"


class CloseCode(IntEnum):
    """WebSocket close codes the server sends; each one is documented in the README."""

    NORMAL = 1000
    """The connection ended normally (recorded when a peer goes away; shutdown sends 1001)."""
    GOING_AWAY = 1001
    """The server is restarting; the client reconnects and resyncs."""
    TOO_BIG = 1009
    """A message exceeded the frame size limit."""
    INTERNAL = 1011
    """An unexpected server error while handling this connection."""
    OVERLOADED = 1013
    """The board or the server is at capacity, or this client read too slowly; retry later."""
    MALFORMED = 4400
    """A frame that is not a valid y-websocket message or carries an invalid CRDT update."""
    UNAUTHENTICATED = 4401
    """No token, or a token that is unknown or expired."""
    FORBIDDEN = 4403
    """The token was revoked, belongs to another board, or its role may not write here."""
    NO_SUCH_BOARD = 4404
    """The board does not exist (or its id is not a valid slug)."""
    RATE_LIMITED = 4429
    """The connection sent more messages or bytes than its rate allows."""


class AtelierError(Exception):
    """An error that maps to an HTTP problem and, on a WebSocket, to a close code."""

    status: int = 400
    title: str = "Bad request"
    close_code: CloseCode = CloseCode.MALFORMED

    def __init__(self, detail: str, *, close_code: CloseCode | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        if close_code is not None:
            self.close_code = close_code


class BadRequest(AtelierError):
    status, title, close_code = 400, "Bad request", CloseCode.MALFORMED


class Unauthenticated(AtelierError):
    status, title, close_code = 401, "Unauthenticated", CloseCode.UNAUTHENTICATED


class Forbidden(AtelierError):
    status, title, close_code = 403, "Forbidden", CloseCode.FORBIDDEN


class NotFound(AtelierError):
    status, title, close_code = 404, "Not found", CloseCode.NO_SUCH_BOARD


class BodyNotReceived(AtelierError):
    """The client went, or its body missed its deadline; the answer reaches no one."""

    status, title = 408, "Request timeout"


class ContentTooLarge(AtelierError):
    status, title = 413, "Content too large"


class Conflict(AtelierError):
    status, title, close_code = 409, "Conflict", CloseCode.MALFORMED


class TooManyRequests(AtelierError):
    """Past a per-invite rate or a per-board bound (comments); the client retries later."""

    status, title, close_code = 429, "Too many requests", CloseCode.RATE_LIMITED


class Unavailable(AtelierError):
    status, title, close_code = 503, "Service unavailable", CloseCode.OVERLOADED


class Overloaded(Unavailable):
    """Too much is waiting (database backlog, connections); the client should retry later."""


def problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    body.update(extra)
    return body


MAX_CLOSE_REASON_BYTES = 123


def close_reason(text: str) -> str:
    """A close reason must fit in 123 bytes of UTF-8; cut on a character boundary."""
    return text.encode("utf-8")[:MAX_CLOSE_REASON_BYTES].decode("utf-8", errors="ignore")
