"""The HTTP fallback transport of board connections: server-sent events down, POST up.

Some networks' proxies drop the WebSocket ``Upgrade`` header, so their users cannot open
``/ws/boards/{id}``. The same connection is then made of two plain HTTP parts: a stream of
server-sent events carrying what the server would write to the socket (one y-websocket
message per event, base64), and POSTs carrying what the client would send (length-prefixed
messages). The peer behind it is an ordinary ``Peer`` of the same ``Room``, admitted and fed
by the same ``BoardEndpoint``: roles, locks, limits, durability and fan-out are the
WebSocket's own, not a second copy of them.

What the WebSocket gets from its protocol is rebuilt here:

- flow control: ``StreamLink`` holds at most about ``HIGH_WATER_BYTES`` the HTTP response
  has not taken; past that the peer's bounded outbox fills, and a client that does not read
  is closed with 1013 like a slow WebSocket peer;
- liveness: a ``ping`` event every ``ping_interval`` seconds, which the client answers with a
  POST (an empty one will do). No POST within ``ping_timeout`` of a ping, or a write to the
  response that does not complete within ``ping_timeout``, drops the connection: the same
  bound as a WebSocket peer that misses its pongs;
- the close frame: an event ``close`` with the close code and reason, then the stream ends.

A session id is unguessable, but it is not a credential: every POST carries the token the
stream was opened with as well (compared to a digest kept with the session).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from server.core.auth import Grant
from server.core.errors import CloseCode, close_reason
from server.sync.endpoint import Admission, Authorizer, BoardEndpoint
from server.sync.peer import Peer
from server.sync.room import Room

logger = logging.getLogger("atelier.ws")

HIGH_WATER_BYTES = 64 * 1024
"""Bytes waiting for the response beyond which the peer's outbox takes over."""
CLOSE_TIMEOUT_SECONDS = 2.0
"""How long the last event (``close``) may take to be written before the stream is dropped."""
ENDED_KEPT = 4096
ENDED_SECONDS = 300.0
"""Ended sessions remembered (at most, for at most) so a late POST learns the close code."""
MAX_PREFIX_BYTES = 10
"""A message's length prefix (a lib0 varUint) takes at most this many bytes."""

Send = Callable[[bytes], Awaitable[None]]


class MalformedBody(ValueError):
    """A POST body that is not a sequence of length-prefixed messages."""


def split_messages(body: bytes, max_message_bytes: int) -> list[bytes]:
    """The messages of a POST body: each one a lib0 varUint length, then that many bytes.
    A length past ``max_message_bytes`` raises ``OverflowError`` (1009, as on the socket)."""
    messages, pos, view = [], 0, memoryview(body)
    while pos < len(body):
        size, shift = 0, 0
        for _ in range(MAX_PREFIX_BYTES):
            if pos >= len(body):
                raise MalformedBody("the body ends inside a message's length")
            byte = body[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        else:
            raise MalformedBody("a message length takes more than 10 bytes")
        if size > max_message_bytes:
            raise OverflowError(f"a message is larger than {max_message_bytes} bytes")
        if size > len(body) - pos:
            raise MalformedBody("the body ends inside a message")
        messages.append(bytes(view[pos : pos + size]))
        pos += size
    return messages


def event(name: str, data: dict[str, object]) -> bytes:
    """One named server-sent event with a JSON payload."""
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


PING = b"event: ping\ndata: \n\n"


class _LastEvent:
    """A broadcast hands the same ``bytes`` to every peer: it is encoded once for all."""

    message: bytes = b""
    wire: bytes = b"data: \n\n"


def message_event(message: bytes) -> bytes:
    """A y-websocket message as an unnamed (``message``) event, base64 in its data."""
    if _LastEvent.message is not message:
        _LastEvent.message = message
        _LastEvent.wire = b"data: " + base64.b64encode(message) + b"\n\n"
    return _LastEvent.wire


class StreamLink:
    """The ``Link`` of a fallback peer: what is written waits here until the response takes it."""

    def __init__(self) -> None:
        self._chunks: deque[bytes] = deque()
        self._bytes = 0
        self._wake = asyncio.Event()
        self.can_write = True
        self.close_sent: tuple[int, str] | None = None
        self._sending: asyncio.Timeout | None = None

    def write(self, message: bytes) -> None:
        if self.close_sent is not None:
            return
        self._push(message_event(message))

    def close(self, code: int, reason: str) -> None:
        if self.close_sent is None:
            self.close_sent = (code, close_reason(reason))
            self._push(event("close", {"code": code, "reason": self.close_sent[1]}))
            sending = self._sending
            if sending is not None:
                soon = asyncio.get_running_loop().time() + CLOSE_TIMEOUT_SECONDS
                current = sending.when()
                sending.reschedule(soon if current is None else min(current, soon))

    async def timed(self, sending: Awaitable[None], seconds: float) -> bool:
        """Await a write to the response for ``seconds`` at most (False if it did not
        complete); a close meanwhile cuts the wait to ``CLOSE_TIMEOUT_SECONDS``, so a peer
        closed for not reading leaves its room as soon as a socket would."""
        try:
            async with asyncio.timeout(seconds) as deadline:
                self._sending = deadline
                await sending
        except TimeoutError:
            return False
        finally:
            self._sending = None
        return True

    def write_ping(self) -> None:
        if self.close_sent is None:
            self._push(PING)

    def _push(self, chunk: bytes) -> None:
        self._chunks.append(chunk)
        self._bytes += len(chunk)
        self.can_write = self._bytes < HIGH_WATER_BYTES
        self._wake.set()

    async def take(self, within: float) -> bytes | None:
        """Everything waiting, as one chunk; None if nothing came ``within`` seconds."""
        if not self._chunks:
            self._wake.clear()
            try:  # asyncio.timeout, not wait_for: no task per wait on the hot path
                async with asyncio.timeout(max(0.0, within)):
                    await self._wake.wait()
            except TimeoutError:
                return None
        chunk = b"".join(self._chunks)
        self._chunks.clear()
        self._bytes = 0
        return chunk


@dataclass(eq=False)
class StreamSession:
    """One fallback connection: its peer in its room, and what its POSTs must show."""

    id: str
    room: Room
    peer: Peer
    link: StreamLink
    token_digest: bytes
    last_post: float = field(default_factory=time.monotonic)

    @property
    def board_id(self) -> str:
        return self.room.board_id

    def holds(self, token: str) -> bool:
        return hmac.compare_digest(_digest(token), self.token_digest)

    async def pump(self, send: Send, ping_interval: float, ping_timeout: float) -> bool:
        """Write the session's events to the response until the peer is closed. True once
        the ``close`` event is written; False when the client stopped reading or answering
        pings (the connection is then to be dropped, as a socket whose pongs are missing)."""
        if not await self.link.timed(
            send(event("session", self._opening(ping_interval))), ping_timeout
        ):
            return False
        next_ping = time.monotonic() + ping_interval
        pinged_at: float | None = None
        while True:
            now = time.monotonic()
            if pinged_at is not None and self.last_post >= pinged_at:
                pinged_at = None
            if pinged_at is not None and now >= pinged_at + ping_timeout:
                return False
            if now >= next_ping:
                if pinged_at is None:
                    pinged_at = now
                next_ping = now + ping_interval
                self.link.write_ping()
            due = next_ping if pinged_at is None else min(next_ping, pinged_at + ping_timeout)
            chunk = await self.link.take(due - now)
            if chunk is None:
                continue
            closing = self.link.close_sent is not None  # the close event is the last one
            timeout = CLOSE_TIMEOUT_SECONDS if closing else ping_timeout
            if not await self.link.timed(send(chunk), timeout):
                return False
            if closing:
                return True
            self.peer.resume()

    def _opening(self, ping_interval: float) -> dict[str, object]:
        grant = self.peer.grant
        return {"session": self.id, "ping_interval": ping_interval, "role": grant.role.value}


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", errors="surrogatepass")).digest()


class UnknownSession(LookupError):
    """No live session by that id on this board; ``code`` is how it ended, when known."""

    def __init__(self, code: CloseCode | None) -> None:
        super().__init__("no such session")
        self.code = code


class StreamSessions:
    """The fallback sessions of this instance, and how recent ones ended."""

    def __init__(
        self, endpoint: BoardEndpoint, authorize: Authorizer, max_frame_bytes: int
    ) -> None:
        self._endpoint = endpoint
        self._authorize = authorize
        self.max_message_bytes = max_frame_bytes
        self._live: dict[str, StreamSession] = {}
        self._ended: OrderedDict[str, tuple[str, CloseCode, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._live)

    def open(self, admission: Admission, token: str) -> StreamSession:
        """Join the admitted connection to its room, behind a new session."""
        link = StreamLink()
        peer = self._endpoint.join(admission, link)
        session = StreamSession(
            secrets.token_urlsafe(24), admission.room, peer, link, _digest(token)
        )
        self._live[session.id] = session
        grant = admission.grant
        logger.info(
            "board %s: %s connected over HTTP (invite %s)",
            session.board_id,
            grant.role.value,
            grant.invite_id,
            extra={"board": session.board_id, "peer": grant.invite_id},
        )
        return session

    def end(self, session: StreamSession) -> None:
        """The stream is over: the peer leaves its room (and its presence goes) at once."""
        if self._live.pop(session.id, None) is None:
            return
        session.peer.gone()
        session.room.leave(session.peer)
        code = session.peer.close_code or CloseCode.NORMAL
        self._ended[session.id] = (session.board_id, code, time.monotonic())
        self._forget_old()

    def _forget_old(self) -> None:
        limit = time.monotonic() - ENDED_SECONDS
        while self._ended and (
            len(self._ended) > ENDED_KEPT or next(iter(self._ended.values()))[2] < limit
        ):
            self._ended.popitem(last=False)

    def find(self, board_id: str, session_id: str) -> StreamSession:
        """The live session ``session_id`` of ``board_id``; raises ``UnknownSession``."""
        session = self._live.get(session_id)
        if session is not None and session.board_id == board_id:
            return session
        ended = self._ended.get(session_id)
        raise UnknownSession(ended[1] if ended is not None and ended[0] == board_id else None)

    async def grant_for(self, board_id: str, token: str) -> Grant:
        """What ``token`` allows on the board (raises the refusal, with its close code)."""
        return await self._authorize(board_id, token)

    def post(self, session: StreamSession, body: bytes) -> CloseCode | None:
        """Hand a POST's messages to the endpoint, as socket frames; the close code if the
        session is (now) closed. An empty body is a pong, counted against the rate."""
        session.last_post = time.monotonic()
        peer = session.peer
        if peer.closed:
            return peer.close_code
        try:
            messages = split_messages(body, self.max_message_bytes)
        except OverflowError as exc:
            peer.close(CloseCode.TOO_BIG, str(exc))
            return peer.close_code
        except MalformedBody as exc:
            peer.close(CloseCode.MALFORMED, str(exc))
            return peer.close_code
        if not messages and not peer.limiter.allow(0):
            peer.close(CloseCode.RATE_LIMITED, "too many requests; slow down and reconnect")
        for message in messages:
            self._endpoint.receive(session.room, peer, message)
            if peer.closed:
                break
        return peer.close_code

    def refuse_oversized(self, session: StreamSession) -> CloseCode | None:
        """A body known to pass the limit before it is read: closed with 1009, like the
        socket refusing a message over its size."""
        session.last_post = time.monotonic()
        session.peer.close(
            CloseCode.TOO_BIG, f"a message is larger than {self.max_message_bytes} bytes"
        )
        return session.peer.close_code

    def close_all(self, code: CloseCode, reason: str) -> None:
        for session in list(self._live.values()):
            session.peer.close(code, reason)
