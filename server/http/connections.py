"""HTTP connections under the app: deadlines for a request's headers and body, a cap on
header bytes, and a cap on open connections (given to uvicorn as ``http=`` by ``cli.serve``).

uvicorn's httptools protocol has none of these: its one timer, keep-alive, is armed only
once a response is complete, and any byte received cancels it. A client trickling a header
line every few seconds kept its connection, and a file descriptor, for ever; a thousand of
them used up the process's descriptors and the server refused everyone. This is the same
protocol with:

- a header deadline (``header_timeout_seconds``), from the connection's opening or the end
  of the previous response to the end of the request's headers: then 408 and close (a
  connection that sent nothing is just closed);
- a header size cap (``max_header_bytes``): 431 and close;
- a body deadline (``body_timeout_seconds``), from the end of the headers to the end of the
  body: then 408 and close, and the application sees the client gone;
- a cap on open HTTP connections (``max_http_connections``): a newcomer at the cap closes
  the connection that has waited longest for a request (an idle keep-alive or a slow
  client); when every one is busy with a request, the newcomer gets 503.

A WebSocket connection leaves this protocol, and its count, once upgraded. The time the
application takes to answer is not limited here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from server.core.errors import PROBLEM_MEDIA_TYPE, problem
from server.core.settings import Settings
from server.sync.handshake import is_board_path
from server.sync.transport import BoardWebSocketProtocol

RETRY_AFTER_SECONDS = 1
ABORT_HOOK = "atelier.abort"
"""Key in a request's ``scope["state"]``: drops the connection (a stalled event stream)."""
SHUTDOWN_HOOK = "atelier.on_shutdown"
"""Key a long response (an event stream) sets in ``scope["state"]``: called at graceful
shutdown, so it can end itself (uvicorn waits for unfinished responses)."""
REFUSED_WAIT_SECONDS = 1.0
"""How long a refused connection may take to send its request before being closed unanswered."""


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """See ``Settings`` for each one's meaning; the defaults are the settings' own."""

    header_timeout: float = Settings.header_timeout_seconds
    body_timeout: float = Settings.body_timeout_seconds
    max_header_bytes: int = Settings.max_header_bytes
    max_connections: int = Settings.max_http_connections

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpLimits:
        return cls(
            header_timeout=settings.header_timeout_seconds,
            body_timeout=settings.body_timeout_seconds,
            max_header_bytes=settings.max_header_bytes,
            max_connections=settings.max_http_connections,
        )


@dataclass
class OpenConnections:
    """The process's open HTTP connections, and those waiting for a request, oldest first."""

    all: set[GuardedHttpProtocol] = field(default_factory=set)
    waiting: dict[GuardedHttpProtocol, None] = field(default_factory=dict)


def http_protocol(settings: Settings) -> type[asyncio.Protocol]:
    """The protocol class to give uvicorn as ``http=``, with its own count of connections."""
    attributes = {
        "limits": HttpLimits.from_settings(settings),
        "open_connections": OpenConnections(),
    }
    return type("AtelierHttpProtocol", (GuardedHttpProtocol,), attributes)


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with deadlines and caps (see the module)."""

    limits: ClassVar[HttpLimits]
    open_connections: ClassVar[OpenConnections]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._reading_headers = False
        self._in_message = False
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.open_connections.all) >= self.limits.max_connections:
            oldest = next(iter(self.open_connections.waiting), None)
            if oldest is None:  # answered (503) once its request is read, see data_received
                self._refused = True
                self._arm(REFUSED_WAIT_SECONDS, self._close)
                return
            oldest._headers_late()  # the longest wait gives way to the newcomer
        self.open_connections.all.add(self)
        self._expect_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self._forget()  # a WebSocket has its own limits (``sync.transport``)
        board_protocol = self.ws_protocol_class
        if not (
            self.scope["method"] == "GET"
            and self.url.isascii()
            and isinstance(board_protocol, type)
            and issubclass(board_protocol, BoardWebSocketProtocol)
        ):
            super().handle_websocket_upgrade()  # the library parses it again, and says why not
            return
        self.connections.discard(self)
        protocol = board_protocol(
            config=self.config,
            server_state=self.server_state,
            app_state=self.app_state,
            board=is_board_path(self.url) and not self.config.ws_per_message_deflate,
        )
        protocol.connection_made(self.transport)
        self.transport.set_protocol(protocol)
        protocol.handshake(self.url, list(self.scope["headers"]))

    # -- the phases of a request ----------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._refused:  # the request has been read: closing now resets nothing
            self._reply_and_close(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "the server has too many open connections; retry in a moment",
                retry_after=RETRY_AFTER_SECONDS,
            )
            return
        if self._reading_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        if (
            self._reading_headers
            and self._header_bytes > self.limits.max_header_bytes
            and not self.transport.is_closing()
        ):
            self._reply_and_close(
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                f"the request line and headers exceed {self.limits.max_header_bytes} bytes",
            )

    def on_message_begin(self) -> None:
        self._in_message = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self.open_connections.waiting.pop(self, None)
        self._arm(self.limits.body_timeout, self._body_late)
        super().on_headers_complete()
        self.scope["state"][ABORT_HOOK] = self._abort

    def shutdown(self) -> None:
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            hook = cycle.scope["state"].get(SHUTDOWN_HOOK)
            if callable(hook):
                hook()
        super().shutdown()

    def on_message_complete(self) -> None:
        self._in_message = False
        self._disarm()
        super().on_message_complete()
        cycle = self.cycle  # None for a WebSocket handshake
        if cycle is not None and cycle.response_complete and not self.transport.is_closing():
            self._expect_request()  # answered before its body ended (e.g. 413)

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)
        super().on_response_complete()
        if not pipelined and not self._in_message and not self.transport.is_closing():
            self._expect_request()

    def _expect_request(self) -> None:
        self._header_bytes = 0
        self._reading_headers = True
        self.open_connections.waiting.pop(self, None)
        self.open_connections.waiting[self] = None
        self._arm(self.limits.header_timeout, self._headers_late)

    # -- deadlines --------------------------------------------------------------------

    def _headers_late(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            self._forget()
            return
        if not self._header_bytes:  # an idle connection: nothing to answer
            self._close()
            return
        seconds = self.limits.header_timeout
        self._reply_and_close(
            HTTPStatus.REQUEST_TIMEOUT,
            f"the request line and headers did not arrive within {seconds:g} seconds",
        )

    def _body_late(self) -> None:
        self._deadline = None
        cycle = self.cycle
        if self.transport.is_closing():
            return
        if cycle is None or cycle.response_started:
            self._close()
            return
        seconds = self.limits.body_timeout
        self._reply_and_close(
            HTTPStatus.REQUEST_TIMEOUT,
            f"the request body did not arrive within {seconds:g} seconds",
        )
        cycle.disconnected = True  # the application reading the body sees the client gone
        cycle.message_event.set()

    def _arm(self, seconds: float, expire: Callable[[], None]) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _forget(self) -> None:
        self._disarm()
        self._reading_headers = False
        self.open_connections.all.discard(self)
        self.open_connections.waiting.pop(self, None)

    def _reply_and_close(
        self, status: HTTPStatus, detail: str, *, retry_after: int | None = None
    ) -> None:
        """A problem+json answer written before the application has one, then close."""
        body = json.dumps(problem(int(status), status.phrase, detail)).encode()
        head = [
            f"HTTP/1.1 {int(status)} {status.phrase}",
            f"content-type: {PROBLEM_MEDIA_TYPE}",
            f"content-length: {len(body)}",
            "connection: close",
        ]
        if retry_after is not None:
            head.append(f"retry-after: {retry_after}")
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body)
        self._close()

    def _abort(self) -> None:
        """Drop the connection in the middle of a response (its application is told now)."""
        if self.cycle is not None:
            self.cycle.disconnected = True
        self._close()

    def _close(self) -> None:
        """Close now, and stop counting this connection at once (a newcomer may need its place)."""
        self._forget()
        self.transport.close()
