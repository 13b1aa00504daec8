"""The WebSocket transport of board connections, plugged into uvicorn as its ``ws`` protocol.

Board messages are the hot path. uvicorn's ASGI path costs, for every message, a queue, a
task wake-up and a pause and resume of reading, and a task per connection. A board
connection is served here in the protocol's own callbacks instead: the ``websockets``
library does the handshake, frame parsing, ping and close; each binary message goes
straight to the room, and a message relayed to several peers is framed once for all of
them. Every other WebSocket path keeps uvicorn's ASGI handling.

A board connection is accepted only after its token is checked and its board opened; a
refused client is accepted only to be told why with a close code (browsers cannot read an
HTTP refusal).
"""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State

from server.core.errors import AtelierError, CloseCode, close_reason
from server.core.metrics import counters
from server.sync.endpoint import BoardEndpoint
from server.sync.peer import Peer
from server.sync.room import Room

logger = logging.getLogger("atelier.ws")

BOARD_PATH = "/ws/boards/"
FRAME_ONCE_MAX_BYTES = 64 * 1024
"""Larger messages (a whole board for a newcomer) go to one peer; they are not kept."""


def board_protocol(endpoint: BoardEndpoint) -> type[asyncio.Protocol]:
    """The protocol class to give uvicorn as ``ws=``, serving board connections with
    ``endpoint``."""
    return type("BoardWebSocketProtocol", (BoardWebSocketProtocol,), {"endpoint": endpoint})


def binary_frame_header(size: int) -> bytes:
    """RFC 6455 §5.2 header of a final, unmasked binary frame (server to client)."""
    if size < 126:
        return bytes((0x82, size))
    if size < 1 << 16:
        return struct.pack("!BBH", 0x82, 126, size)
    return struct.pack("!BBQ", 0x82, 127, size)


class _LastFrame:
    """The wire form of the last message framed: a broadcast hands the same ``bytes``
    object to every peer of the room, so it is framed once rather than once per peer."""

    message: bytes = b""
    wire: bytes = binary_frame_header(0)


class BoardWebSocketProtocol(WebSocketsSansIOProtocol):
    """One WebSocket connection; a board connection is also the ``Link`` of its peer."""

    endpoint: ClassVar[BoardEndpoint]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_board = False
        self._board: tuple[Room, Peer] | None = None
        self._parts: list[bytes | bytearray | memoryview] = []
        self._text = False
        self.can_write = True
        """False while the socket's send buffer is above its high-water mark."""

    # -- handshake --------------------------------------------------------------------

    def handle_connect(self, event: Request) -> None:
        raw_path, _, query = event.path.partition("?")
        path = unquote(raw_path)
        board_id = path[len(BOARD_PATH) :]
        if not path.startswith(BOARD_PATH) or "/" in board_id:
            super().handle_connect(event)
            return
        self.is_board = True
        self.request = event
        self.response = self.conn.accept(event)
        if self.response.status_code != 101:  # not a valid WebSocket handshake
            self.handshake_complete = self.close_sent = True
            self.conn.send_response(self.response)
            self._flush()
            self.transport.close()
            return
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
        if self.transport.is_closing():  # the client left, or the server is stopping
            return
        self._accept()
        logger.info(
            "board %s: %s connected (invite %s)",
            board_id,
            admission.grant.role.value,
            admission.grant.invite_id,
            extra={"board": board_id, "peer": admission.grant.invite_id},
        )
        peer = self.endpoint.join(admission, self)
        self._board = (admission.room, peer)
        self.transport.resume_reading()

    def _accept(self) -> None:
        self.handshake_complete = True
        self.conn.send_response(self.response)
        self._flush()
        self.start_keepalive()

    def _refuse(self, code: CloseCode, reason: str) -> None:
        counters.closes[int(code)] += 1
        if self.transport.is_closing():
            return
        self._accept()
        self.close(int(code), reason)
        self.transport.resume_reading()  # to read the client's answer to the close

    # -- incoming ---------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if not self.is_board:
            super().data_received(data)
            return
        self.conn.receive_data(data)
        if self.conn.parser_exc is not None:  # e.g. too big (1009) or not WebSocket framing
            self._on_protocol_error()
            return
        for event in self.conn.events_received():
            if isinstance(event, Frame):  # the handshake request came before, over HTTP
                self._on_frame(event)

    def _on_frame(self, frame: Frame) -> None:
        opcode = frame.opcode
        if opcode is Opcode.BINARY or opcode is Opcode.TEXT:
            self._parts = [frame.data]
            self._text = opcode is Opcode.TEXT
        elif opcode is Opcode.CONT:
            self._parts.append(frame.data)
        elif opcode is Opcode.PONG:
            self.handle_pong(frame)
            return
        elif opcode is Opcode.CLOSE:
            self._on_close()
            return
        else:  # a ping: the library has queued its pong
            self._flush()
            return
        if not frame.fin:
            return
        data = self._parts[0] if len(self._parts) == 1 else b"".join(self._parts)
        self._parts = []
        if self._board is None:
            return
        room, peer = self._board
        if self._text:
            peer.close(CloseCode.MALFORMED, "text frames are not part of the protocol")
            return
        self.endpoint.receive(room, peer, data if type(data) is bytes else bytes(data))

    def _on_close(self) -> None:
        if self.close_sent:  # the client answered our close: the handshake is complete
            if self.close_timer is not None:
                self.close_timer.cancel()
                self.close_timer = None
        else:  # the client closes; the library has queued the answer
            self._flush()
        self.transport.close()

    def _on_protocol_error(self) -> None:
        sent = self.conn.close_sent
        if sent is not None:
            counters.closes[sent.code] += 1
        if self._board is not None:
            self._board[1].gone()
        self._flush()
        self.close_sent = True
        self.transport.close()

    # -- the peer's link ----------------------------------------------------------------

    def write(self, message: bytes) -> None:
        if _LastFrame.message is message:
            self.transport.write(_LastFrame.wire)
        elif len(message) <= FRAME_ONCE_MAX_BYTES:
            _LastFrame.message = message
            _LastFrame.wire = binary_frame_header(len(message)) + message
            self.transport.write(_LastFrame.wire)
        else:
            self.transport.writelines((binary_frame_header(len(message)), message))

    def close(self, code: int, reason: str) -> None:
        if self.close_sent or self.transport.is_closing() or self.conn.state is not State.OPEN:
            return
        self.conn.send_close(code, close_reason(reason))
        self._flush()
        self.close_sent = True
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
            self._board[1].close(CloseCode.GOING_AWAY, "the server is shutting down")
        elif not self.close_sent:  # still being admitted
            self.transport.close()
