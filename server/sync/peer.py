"""One WebSocket connection: who it is, what it may do, and its bounded outbox.

The room never waits for a peer: a frame goes straight to the socket when the socket takes
it, and waits in the peer's outbox while the socket's buffer is full. A peer whose outbox
overflows is too slow to follow the board; it is closed with 1013 and resyncs when it
reconnects.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Protocol

from server.core.auth import Grant
from server.core.errors import CloseCode
from server.core.metrics import counters
from server.sync.protocol import encode_durable_ack


class Link(Protocol):
    """The connection under a peer: a WebSocket (``sync.transport``) or the HTTP fallback's
    event stream (``sync.stream``)."""

    can_write: bool
    """False while the socket's send buffer is above its high-water mark."""

    def write(self, message: bytes) -> None:
        """Send one binary WebSocket message."""
        ...

    def close(self, code: int, reason: str) -> None:
        """Send the close frame; the connection ends when the client answers (or times out)."""
        ...


class TokenBucket:
    """Messages and bytes per second, with bursts; refill is computed lazily."""

    __slots__ = ("_byte_burst", "_byte_rate", "_bytes", "_last", "_msg_burst", "_msg_rate", "_msgs")

    def __init__(self, msg_rate: float, msg_burst: int, byte_rate: float, byte_burst: int) -> None:
        self._msg_rate, self._msg_burst = msg_rate, float(msg_burst)
        self._byte_rate, self._byte_burst = byte_rate, float(byte_burst)
        self._msgs, self._bytes = float(msg_burst), float(byte_burst)
        self._last = time.monotonic()

    def allow(self, size: int) -> bool:
        """Take one message of ``size`` bytes; False once either allowance is spent."""
        self._take(1, size)
        return self._msgs >= 0 and self._bytes >= 0

    def charge(self, size: int) -> bool:
        """Count bytes the server sends on request (a presence answer) against the byte
        allowance, so a tiny request cannot buy a large answer at the message rate."""
        self._take(0, size)
        return self._bytes >= 0

    def _take(self, messages: int, size: int) -> None:
        now = time.monotonic()
        elapsed, self._last = now - self._last, now
        self._msgs = min(self._msg_burst, self._msgs + elapsed * self._msg_rate) - messages
        self._bytes = min(self._byte_burst, self._bytes + elapsed * self._byte_rate) - size


class Peer:
    """A connected client of one board."""

    def __init__(
        self,
        link: Link,
        grant: Grant,
        *,
        name: str | None,
        party: str | None,
        acks: bool,
        limiter: TokenBucket,
        outbox_max_messages: int,
        outbox_max_bytes: int,
    ) -> None:
        self._link = link
        self.grant = grant
        self.name = name
        self.party = party
        self.acks = acks
        self.limiter = limiter
        self._outbox: deque[bytes] | None = None
        """Frames waiting for the socket, made at the first wait (most peers never wait)."""
        self._outbox_bytes = 0
        self._max_messages = outbox_max_messages
        self._max_bytes = outbox_max_bytes
        self.close_code: CloseCode | None = None
        self.awareness_ids: set[int] = set()
        self.awareness_bytes = 0
        """What this connection's awareness states weigh (see ``sync.presence``)."""
        self.refused_writes = 0
        self.settled_frames = 0
        """Update-carrying frames received (SyncStep2 and Update) that are durable or held
        nothing new: the ``acks`` figure."""
        self._unsettled: deque[int] | None = None
        """Log submissions still pending per unsettled frame, in frame order (made at the
        first frame that is not settled at once: a reader never needs it)."""

    @property
    def closed(self) -> bool:
        return self.close_code is not None

    def enqueue(self, frame: bytes) -> None:
        if self.close_code is not None:
            return
        counters.frames_out += 1
        counters.bytes_out += len(frame)
        if not self._outbox and self._link.can_write:
            self._link.write(frame)
            return
        # One frame alone always fits (a whole board for a newcomer can be large);
        # the limits bound the backlog of a peer that does not read.
        outbox = self._outbox
        if outbox is None:
            outbox = self._outbox = deque()
        elif outbox and (
            len(outbox) >= self._max_messages or self._outbox_bytes + len(frame) > self._max_bytes
        ):
            self.close(CloseCode.OVERLOADED, "too slow to follow the board; reconnect to resync")
            return
        outbox.append(frame)
        self._outbox_bytes += len(frame)

    def resume(self) -> None:
        """The socket drained below its low-water mark: write what waited, in order."""
        while self._outbox and self.close_code is None and self._link.can_write:
            frame = self._outbox.popleft()
            self._outbox_bytes -= len(frame)
            self._link.write(frame)

    def close(self, code: CloseCode, reason: str) -> None:
        """Drop anything still queued and close the connection with ``code``."""
        if self.close_code is not None:
            return
        self.close_code = code
        counters.closes[int(code)] += 1
        self._outbox = None
        self._outbox_bytes = 0
        self._link.close(int(code), reason)

    def gone(self) -> None:
        """The connection is lost: nothing more is written to it."""
        if self.close_code is None:
            self.close_code = CloseCode.NORMAL
        self._outbox = None
        self._outbox_bytes = 0

    def track_update_frame(self, submissions: int) -> None:
        """Remember an update frame that produced ``submissions`` log entries."""
        if self._unsettled is None:
            if submissions <= 0:  # nothing to wait for, and no frame before it waits
                self._settled(1)
                return
            self._unsettled = deque()
        self._unsettled.append(submissions)
        self._settle()

    def entry_durable(self) -> None:
        """One log entry of this peer (the oldest unsettled) is now durable."""
        if self._unsettled:
            self._unsettled[0] -= 1
        self._settle()

    def _settle(self) -> None:
        settled = 0
        while self._unsettled and self._unsettled[0] <= 0:
            self._unsettled.popleft()
            settled += 1
        if settled:
            self._settled(settled)

    def _settled(self, frames: int) -> None:
        self.settled_frames += frames
        if self.acks:
            self.enqueue(encode_durable_ack(self.settled_frames))
