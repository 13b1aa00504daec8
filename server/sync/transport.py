"""The WebSocket transport of board connections, plugged into uvicorn as its ``ws`` protocol.

Board messages are the hot path. uvicorn's ASGI path costs, for every message, a queue, a
task wake-up and a pause and resume of reading, and a task per connection. A board
connection is served here in the protocol's own callbacks instead: the ``websockets``
library does frame parsing, ping and close; each binary message goes straight to the room,
and a message relayed to several peers is framed once for all of them. The upgrade request
uvicorn parsed is not parsed again: its usual form is answered by ``sync.wire``, any other
is judged by the library. Every other WebSocket path keeps uvicorn's ASGI handling.

A board connection is accepted only after its token is checked and its board opened; a
refused client is accepted only to be told why with a close code (browsers cannot read an
HTTP refusal).

Every frame counts against the connection's rate, not only whole messages: pings, pongs
and each fragment of a message. A client that does not read gets no pongs queued for it.
After the server's close frame the socket stays open, reading and dropping what the client
still sends, until the client answers or ``CLOSE_TIMEOUT_SECONDS`` pass: closing a socket
with unread data makes the kernel reset the connection, and the reset discards the close
frame (1009 for an oversized message) before the client reads it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar
from urllib.parse import parse_qs

from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.datastructures import Headers
from websockets.exceptions import PayloadTooBig
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State

from server.core.errors import AtelierError, CloseCode, close_reason
from server.core.metrics import counters
from server.sync.board_state import CLOSE_TIMEOUT_SECONDS, UNUSED, board_state
from server.sync.endpoint import BoardEndpoint
from server.sync.handshake import board_target, switching_protocols
from server.sync.peer import Peer
from server.sync.room import Room
from server.sync.wire import (
    MASK_BYTES,
    PONG,
    Connection,
    Drain,
    LastFrame,
    binary_frame_header,
    whole_binary_frame,
)

logger = logging.getLogger("atelier.ws")
PROTOCOL_LOGGER = logging.getLogger("atelier.ws.protocol")
"""The ``websockets`` state machine's own lines: "connection open" and "connection closed"
at info for every connection, which ``core.logs`` keeps at warning and above."""

SHUTTING_DOWN = "the server is shutting down"
FRAME_ONCE_MAX_BYTES = 64 * 1024
"""Larger messages (a whole board for a newcomer) go to one peer; they are not kept."""


def board_protocol(endpoint: BoardEndpoint) -> type[asyncio.Protocol]:
    """The protocol class to give uvicorn as ``ws=``, serving board connections with
    ``endpoint``."""
    return type("BoardWebSocketProtocol", (BoardWebSocketProtocol,), {"endpoint": endpoint})


class BoardWebSocketProtocol(WebSocketsSansIOProtocol):
    """One WebSocket connection; a board connection is also the ``Link`` of its peer."""

    endpoint: ClassVar[BoardEndpoint]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        board: bool = False,
    ) -> None:
        """``board``: known to be a board's, with no extension (``http.connections``)."""
        if board:
            board_state(self, config, server_state, app_state, _loop)
        else:
            super().__init__(config, server_state, app_state, _loop)
        self.conn: Connection = Connection(
            extensions=[] if board else self.conn.available_extensions,
            max_size=self.config.ws_max_size,
            logger=PROTOCOL_LOGGER,
        )
        self.close_timeout = CLOSE_TIMEOUT_SECONDS
        self.is_board = False
        self._board: tuple[Room, Peer] | None = None
        self._parts: bytearray | None = None
        """The fragments of a message so far: one buffer, bounded by ``max_frame_bytes``
        (the library checks their sum as each arrives)."""
        self._drain: Drain | None = None
        self.can_write = True
        """False while the socket's send buffer is above its high-water mark."""

    # -- handshake --------------------------------------------------------------------

    def handshake(self, raw_path: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        """The upgrade request (a GET with an ASCII target) as uvicorn's HTTP parser read
        it: taken as it is rather than written out again for the library to parse a second
        time. A board's request in the usual form is answered here; any other goes to the
        library as a ``Request``, its header values decoded as it decodes them."""
        path = raw_path.decode("ascii")
        self.conn.expect_frames()
        answer = None if self.conn.available_extensions else switching_protocols(headers)
        target = board_target(path)
        if answer is None or target is None:
            items = ((name.decode("latin-1"), value.decode("latin-1")) for name, value in headers)
            self.handle_connect(Request(path, Headers(items)))
            return
        self._open_board(*target, answer)

    def handle_connect(self, event: Request) -> None:
        target = board_target(event.path)
        if target is None:
            super().handle_connect(event)
            return
        response = self.conn.accept(event)
        if response.status_code != 101:  # not a valid WebSocket handshake
            self.is_board = self.handshake_complete = self.close_sent = True
            self.conn.send_response(response)
            self._flush()
            self.transport.close()
            return
        self._open_board(*target, response)

    def _open_board(self, board_id: str, query: str, answer: Response | bytes) -> None:
        """Send ``answer`` (the 101) at once, then admit the connection to the board. A
        refused client gets its close code after the 101 either way; an admitted one has
        opened meanwhile, its first messages waiting unread until the board is loaded (with
        20 joining a cold board at once, their median synced 15% sooner, bench (v))."""
        self.is_board = True
        self.queue = self.writable = UNUSED  # type: ignore[assignment]
        self._accept(answer)
        self.transport.pause_reading()  # nothing is read before the client is admitted
        task = self.loop.create_task(self._admit(board_id, query))
        task.add_done_callback(self.on_task_complete)
        self.tasks.add(task)

    async def _admit(self, board_id: str, query_string: str) -> None:
        query = {key: values[0] for key, values in parse_qs(query_string).items()}
        try:
            admission = await self.endpoint.admit(board_id, query)
        except AtelierError as exc:
            self._refuse(exc.close_code, exc.detail)
            return
        except Exception:  # e.g. the database is unreachable while loading the board
            logger.exception("board %s: could not open", board_id, extra={"board": board_id})
            self._refuse(CloseCode.INTERNAL, "the board could not be opened")
            return
        if self.close_sent or self.transport.is_closing():  # it left, or the server stops
            return
        logger.debug(  # a workshop's connections come and go all hour: /metrics counts them
            "board %s: %s connected (invite %s)",
            board_id,
            admission.grant.role.value,
            admission.grant.invite_id,
            extra={"board": board_id, "peer": admission.grant.invite_id},
        )
        peer = self.endpoint.join(admission, self)
        self._board = (admission.room, peer)
        self.start_keepalive()  # from admission: the pongs are read from now on
        self.transport.resume_reading()

    def _accept(self, answer: Response | bytes) -> None:
        self.handshake_complete = True
        if isinstance(answer, bytes):
            self.transport.write(answer)
            self.conn.opened()
        else:
            self.conn.send_response(answer)
        self._flush()

    def _refuse(self, code: CloseCode, reason: str) -> None:
        counters.closes[int(code)] += 1
        if self.transport.is_closing():
            return
        self.close(int(code), reason)
        self.transport.resume_reading()  # to read the client's answer to the close

    # -- incoming ---------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if not self.is_board:
            super().data_received(data)
            return
        if self._drain is not None:
            if self._drain.closed_by_client(data):
                self._end()
            return
        conn = self.conn  # a whole message while the parser waits for a frame's first byte
        if self._board is not None and not self.close_sent and conn.current_size is None:
            message = (
                None if conn.reader.buffer else whole_binary_frame(data, self.config.ws_max_size)
            )
            if message is not None:
                self.endpoint.receive(*self._board, message)
                return
        conn.receive_data(data)
        if conn.parser_exc is not None:  # e.g. too big (1009) or not WebSocket framing
            self._on_protocol_error()
            return
        for event in self.conn.events_received():
            if isinstance(event, Frame):  # the handshake request came before, over HTTP
                self._on_frame(event)

    def _on_frame(self, frame: Frame) -> None:
        opcode = frame.opcode
        if opcode is Opcode.CLOSE:
            self._on_close()
            return
        if self.close_sent or self._board is None:  # only the client's close matters now
            self._write_control()
            return
        room, peer = self._board
        if opcode is Opcode.BINARY or opcode is Opcode.CONT:
            self._on_data(room, peer, frame)
        elif opcode is Opcode.TEXT:
            peer.close(CloseCode.MALFORMED, "text frames are not part of the protocol")
        elif self._within_rate(peer, len(frame.data)):
            if opcode is Opcode.PONG:
                self.handle_pong(frame)
            else:  # a ping: the library has queued its pong
                self._write_control()

    def _on_data(self, room: Room, peer: Peer, frame: Frame) -> None:
        if not frame.fin:
            if not self._within_rate(peer, 0):  # the bytes count once, with the message
                return
            if frame.opcode is Opcode.BINARY:
                self._parts = bytearray(frame.data)
            elif self._parts is not None:
                self._parts += frame.data
            return
        data = frame.data
        if frame.opcode is Opcode.CONT:
            if self._parts is None:  # the message's start was refused
                return
            self._parts += data
            data, self._parts = bytes(self._parts), None
        self.endpoint.receive(room, peer, data if type(data) is bytes else bytes(data))

    def _within_rate(self, peer: Peer, size: int) -> bool:
        """A control frame or a fragment counts against the connection's rate like a
        message (the endpoint counts each whole message, with its bytes)."""
        if peer.limiter.allow(size):
            return True
        peer.close(CloseCode.RATE_LIMITED, "too many frames; slow down and reconnect")
        return False

    def _write_control(self) -> None:
        """Send what the library queued in answer to control frames, except pongs for a
        client that does not read (its send buffer is full) or is being closed: queueing
        every pong a non-reading client asks for would grow the server without bound."""
        output = self.conn.data_to_send()
        if not self.can_write or self.close_sent:
            output = [chunk for chunk in output if chunk[:1] != PONG]
        if output:
            self.transport.write(b"".join(output))

    def _on_close(self) -> None:
        if not self.close_sent:  # the client closes; the library has queued the answer
            self._flush()
        self._end()

    def _end(self) -> None:
        """The closing handshake is over: close the socket now."""
        if self.close_timer is not None:
            self.close_timer.cancel()
            self.close_timer = None
        self.transport.close()

    def _on_protocol_error(self) -> None:
        """The library failed the connection (1009 for a message over the limit, 1002 for
        broken framing) and queued its close frame; read on until the client answers."""
        if self.close_sent:  # after the server's own close, a broken frame ends it (e.g. a
            self._end()  # close frame in the middle of the message the server refused)
            return
        sent, failure = self.conn.close_sent, self.conn.parser_exc
        if sent is not None:
            counters.closes[sent.code] += 1
        if self._board is not None:
            self._board[1].gone()
        self._flush()
        self.close_sent = True
        self._parts = None
        if sent is None or isinstance(failure, EOFError):  # nothing more will come
            self.transport.close()
            return
        skip = None  # where the next frame starts is known only after an oversized header
        if isinstance(failure, PayloadTooBig) and failure.size is not None:
            skip = MASK_BYTES + failure.size
        self._drain = Drain(skip)
        unread, self.conn.reader.buffer = self.conn.reader.buffer, bytearray()
        if self._drain.closed_by_client(unread):
            self.transport.close()
            return
        self.close_timer = self.loop.call_later(self.close_timeout, self.transport.close)

    # -- the peer's link ----------------------------------------------------------------

    def write(self, message: bytes) -> None:
        if LastFrame.message is message:
            self.transport.write(LastFrame.wire)
        elif len(message) <= FRAME_ONCE_MAX_BYTES:
            LastFrame.message = message
            LastFrame.wire = binary_frame_header(len(message)) + message
            self.transport.write(LastFrame.wire)
        else:
            self.transport.writelines((binary_frame_header(len(message)), message))

    def close(self, code: int, reason: str) -> None:
        if self.close_sent or self.transport.is_closing() or self.conn.state is not State.OPEN:
            return
        self.conn.send_close(code, close_reason(reason))
        self._flush()
        self.close_sent = True
        self._parts = None
        self.close_timer = self.loop.call_later(self.close_timeout, self.transport.close)

    def pause_writing(self) -> None:
        super().pause_writing()
        self.can_write = False

    def resume_writing(self) -> None:
        super().resume_writing()
        self.can_write = True
        if self._board is not None:
            self._board[1].resume()

    def _flush(self) -> None:
        output = self.conn.data_to_send()
        if output:
            self.transport.write(b"".join(output))

    # -- end --------------------------------------------------------------------------

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self._board is not None:
            room, peer = self._board
            self._board = None
            peer.gone()
            room.leave(peer)

    def shutdown(self) -> None:
        """uvicorn's graceful stop: board peers are told 1001 and uvicorn waits for them to
        go before the application shuts down (and the writer drains)."""
        if not self.is_board:
            super().shutdown()
            return
        self.stop_keepalive()
        if self._board is not None:
            self._board[1].close(CloseCode.GOING_AWAY, SHUTTING_DOWN)
        elif not self.close_sent:  # still being admitted, its 101 sent: told the same
            self._refuse(CloseCode.GOING_AWAY, SHUTTING_DOWN)
