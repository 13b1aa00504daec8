"""The WebSocket edge: ``/ws/boards/{id}?token=…`` speaking y-websocket.

A raw ASGI endpoint rather than Starlette's ``WebSocket`` wrapper: this is the hot path, and
the wrapper costs CPU per message and memory per idle connection (see PERFORMANCE.md).
The token is verified before anything else happens; a refused client is accepted only to be
told why with a close code (browsers cannot read an HTTP refusal).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from server import protocol
from server.auth import Grant, Role
from server.boards.labels import PARTY_BY_ID
from server.config import Settings
from server.errors import AtelierError, CloseCode, NotFound, Overloaded, close_reason
from server.metrics import counters
from server.peer import AsgiSend, Peer, TokenBucket
from server.protocol import MalformedMessage
from server.room import Room
from server.rooms import Rooms

logger = logging.getLogger("atelier.ws")

BOARD_ID = re.compile(r"[a-z0-9_-]{1,64}")
MAX_NAME_CHARS = 80
FACILITATION = "facilitation"

Authorizer = Callable[[str, str], Awaitable[Grant]]
"""(board id, token) -> grant, raising an ``AtelierError`` that carries the close code."""

AsgiReceive = Callable[[], Awaitable[dict[str, Any]]]


class BoardSocket:
    """The ASGI app mounted at ``/ws/boards/{board_id}``."""

    def __init__(
        self, settings: Settings, rooms: Callable[[], Rooms], authorize: Authorizer
    ) -> None:
        self._settings = settings
        self._rooms = rooms
        self._authorize = authorize

    async def __call__(self, scope: dict[str, Any], receive: AsgiReceive, send: AsgiSend) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        board_id = str(scope.get("path_params", {}).get("board_id", ""))
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        first = {key: values[0] for key, values in query.items()}
        try:
            if not BOARD_ID.fullmatch(board_id):
                raise NotFound("board ids are slugs [a-z0-9_-]{1,64}")
            grant = await self._authorize(board_id, first.get("token", ""))
            room = await self._rooms().enter(board_id)
            if len(room.peers) >= self._settings.max_peers_per_board:
                raise Overloaded("this board has too many connections")
        except AtelierError as exc:
            await _refuse(receive, send, exc.close_code, exc.detail)
            return
        except Exception:  # e.g. the database is unreachable while loading the board
            logger.exception("board %s: could not open", board_id, extra={"board": board_id})
            await _refuse(receive, send, CloseCode.INTERNAL, "the board could not be opened")
            return
        await send({"type": "websocket.accept"})
        peer = self._new_peer(send, grant, first)
        room.join(peer)
        try:
            await self._read(receive, room, peer)
        finally:
            room.leave(peer)
            if not peer.closed:
                peer.close(CloseCode.NORMAL, "")
            await peer.flushed()

    def _new_peer(self, send: AsgiSend, grant: Grant, query: dict[str, str]) -> Peer:
        s = self._settings
        return Peer(
            send,
            grant,
            name=(query.get("name") or None) and query["name"][:MAX_NAME_CHARS],
            party=_party(grant, query.get("party")),
            acks=query.get("acks") == "1",
            limiter=TokenBucket(
                s.rate_messages_per_second,
                s.rate_burst_messages,
                s.rate_bytes_per_second,
                s.rate_burst_bytes,
            ),
            outbox_max_messages=s.outbox_max_messages,
            outbox_max_bytes=s.outbox_max_bytes,
        )

    async def _read(self, receive: AsgiReceive, room: Room, peer: Peer) -> None:
        """Read until the peer leaves; after closing it, keep draining until the transport ends."""
        max_awareness = self._settings.max_awareness_bytes
        while True:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                return
            if peer.closed:
                continue
            data = event.get("bytes")
            if data is None:
                peer.close(CloseCode.MALFORMED, "text frames are not part of the protocol")
                continue
            counters.frames_in += 1
            counters.bytes_in += len(data)
            if not peer.limiter.allow(len(data)):
                peer.close(CloseCode.RATE_LIMITED, "too many messages; slow down and reconnect")
                continue
            try:
                room.receive(peer, protocol.decode(data, max_awareness_bytes=max_awareness))
            except MalformedMessage as exc:
                logger.info(
                    "board %s: malformed frame from invite %s: %s",
                    room.board_id,
                    peer.grant.invite_id,
                    exc,
                    extra={"board": room.board_id, "peer": peer.grant.invite_id, "code": 4400},
                )
                peer.close(CloseCode.MALFORMED, str(exc))
            except AtelierError as exc:
                peer.close(exc.close_code, exc.detail)
            except Exception:
                logger.exception(
                    "board %s: error handling a frame",
                    room.board_id,
                    extra={"board": room.board_id, "peer": peer.grant.invite_id, "code": 1011},
                )
                peer.close(CloseCode.INTERNAL, "internal error")


def _party(grant: Grant, asked: str | None) -> str | None:
    """Attribution party: one of the programme's parties; facilitators default to theirs."""
    if asked in PARTY_BY_ID:
        return asked
    return FACILITATION if grant.role is Role.FACILITATOR else None


async def _refuse(receive: AsgiReceive, send: AsgiSend, code: CloseCode, reason: str) -> None:
    """Accept only to deliver the close code and its reason."""
    counters.closes[int(code)] += 1
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": int(code), "reason": close_reason(reason)})
