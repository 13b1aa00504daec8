"""Board connections: ``/ws/boards/{id}?token=…`` speaking y-websocket.

``BoardEndpoint`` is what a board connection does, independent of the WebSocket plumbing
(``sync.transport``): it checks the token and opens the board before the client is
accepted, builds the peer, and handles each binary message. A bad message closes only
its sender, with the code that says why.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from server.core.auth import Grant, Role
from server.core.errors import AtelierError, CloseCode, Forbidden, Overloaded
from server.core.metrics import counters
from server.core.settings import Settings
from server.sync import protocol
from server.sync.peer import Link, Peer, TokenBucket
from server.sync.protocol import MalformedMessage
from server.sync.room import Room
from server.sync.rooms import Rooms

logger = logging.getLogger("atelier.ws")

MAX_NAME_CHARS = 80

Authorizer = Callable[[str, str], Awaitable[Grant]]
"""(board id, token) -> grant, raising an ``AtelierError`` that carries the close code."""


@dataclass(frozen=True, slots=True)
class Admission:
    """A connection allowed in: its board's room, its grant, and its query parameters."""

    room: Room
    grant: Grant
    query: dict[str, str]


class BoardEndpoint:
    """Admission and message handling for board connections."""

    def __init__(
        self, settings: Settings, rooms: Callable[[], Rooms], authorize: Authorizer
    ) -> None:
        self._settings = settings
        self._rooms = rooms
        self._authorize = authorize

    async def admit(self, board_id: str, query: dict[str, str]) -> Admission:
        """Check the token and open the board; raises an ``AtelierError`` with the close
        code that tells the client why not."""
        grant = await self._authorize(board_id, query.get("token", ""))
        _party(grant, query.get("party"))  # a party the invite does not speak for: refused now
        rooms = self._rooms()
        _within_invite_limits(rooms, grant)  # before loading: a refused invite loads nothing
        room = await rooms.enter(board_id)
        _within_invite_limits(rooms, grant)  # connections of this invite may have joined since
        if len(room.peers) >= self._board_capacity(grant):
            raise Overloaded("this board has too many connections")
        return Admission(room, grant, query)

    def _board_capacity(self, grant: Grant) -> int:
        """Facilitators may take every slot; the others leave the reserve to them, so a
        board full of participants or observers never locks its facilitator out."""
        s = self._settings
        if grant.role is Role.FACILITATOR:
            return s.max_peers_per_board
        return s.max_peers_per_board - s.facilitator_reserved_peers

    def join(self, admission: Admission, link: Link) -> Peer:
        s, query = self._settings, admission.query
        peer = Peer(
            link,
            admission.grant,
            name=(query.get("name") or None) and query["name"][:MAX_NAME_CHARS],
            party=_party(admission.grant, query.get("party")),
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
        admission.room.join(peer)
        return peer

    def receive(self, room: Room, peer: Peer, data: bytes) -> None:
        """One binary message from ``peer``; never raises."""
        if peer.closed:
            return
        counters.frames_in += 1
        counters.bytes_in += len(data)
        if not peer.limiter.allow(len(data)):
            peer.close(CloseCode.RATE_LIMITED, "too many messages; slow down and reconnect")
            return
        if not room.invites.spend(peer.grant.invite_id, len(data)):
            per_minute = self._settings.invite_bytes_per_minute
            reason = f"this invite sent over {per_minute} bytes a minute; wait, then reconnect"
            peer.close(CloseCode.RATE_LIMITED, reason)
            return
        try:
            message = protocol.decode(data, max_awareness_bytes=self._settings.max_awareness_bytes)
            room.receive(peer, message)
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


def _within_invite_limits(rooms: Rooms, grant: Grant) -> None:
    """Connections and bytes per invite, counted over all its boards and reconnections."""
    refusal = rooms.invites.refusal(grant.invite_id)
    if refusal is not None:
        raise refusal


def _party(grant: Grant, asked: str | None) -> str | None:
    """The party a connection speaks for is its invite's; asking for another is refused, so
    one invite can never approve for several parties."""
    if asked and asked != grant.party:
        speaks_for = grant.party or "no party"
        raise Forbidden(f"this invite speaks for {speaks_for}, not for {asked[:40]!r}")
    return grant.party
