"""One WebSocket connection: who it is, what it may do, and its bounded outbox.

The room never awaits a peer: it appends frames to the outbox, and the peer's own send task
writes them. A peer whose outbox overflows is too slow to follow the board; it is closed
with 1013 and resyncs when it reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from server.auth import Grant
from server.errors import CloseCode, close_reason
from server.metrics import counters
from server.protocol import encode_durable_ack

logger = logging.getLogger("atelier.peer")

AsgiSend = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]


class TokenBucket:
    """Messages and bytes per second, with bursts; refill is computed lazily."""

    __slots__ = ("_byte_burst", "_byte_rate", "_bytes", "_last", "_msg_burst", "_msg_rate", "_msgs")

    def __init__(self, msg_rate: float, msg_burst: int, byte_rate: float, byte_burst: int) -> None:
        self._msg_rate, self._msg_burst = msg_rate, float(msg_burst)
        self._byte_rate, self._byte_burst = byte_rate, float(byte_burst)
        self._msgs, self._bytes = float(msg_burst), float(byte_burst)
        self._last = time.monotonic()

    def allow(self, size: int) -> bool:
        now = time.monotonic()
        elapsed, self._last = now - self._last, now
        self._msgs = min(self._msg_burst, self._msgs + elapsed * self._msg_rate) - 1
        self._bytes = min(self._byte_burst, self._bytes + elapsed * self._byte_rate) - size
        return self._msgs >= 0 and self._bytes >= 0


class Peer:
    """A connected client of one board."""

    def __init__(
        self,
        send: AsgiSend,
        grant: Grant,
        *,
        name: str | None,
        party: str | None,
        acks: bool,
        limiter: TokenBucket,
        outbox_max_messages: int,
        outbox_max_bytes: int,
    ) -> None:
        self._send = send
        self.grant = grant
        self.name = name
        self.party = party
        self.acks = acks
        self.limiter = limiter
        self._outbox: deque[bytes] = deque()
        self._outbox_bytes = 0
        self._max_messages = outbox_max_messages
        self._max_bytes = outbox_max_bytes
        self._sender: asyncio.Task[None] | None = None
        """Exists only while something waits to be written: an idle peer costs no task."""
        self._pending_write: tuple[Coroutine[Any, Any, None], Any] | None = None
        self.close_code: CloseCode | None = None
        self.close_reason = ""
        self.awareness_ids: set[int] = set()
        self.refused_writes = 0
        self.update_frames = 0
        """Update-carrying frames received (SyncStep2 and Update)."""
        self.settled_frames = 0
        """Of those, how many are durable or held nothing new: the ``acks`` figure."""
        self._unsettled: deque[int] = deque()
        """Log submissions still pending per unsettled frame, in frame order."""

    @property
    def closed(self) -> bool:
        return self.close_code is not None

    def enqueue(self, frame: bytes) -> None:
        if self.close_code is not None:
            return
        counters.frames_out += 1
        counters.bytes_out += len(frame)
        if self._sender is None:
            self._write_now(frame)
            return
        # One frame alone always fits (a whole board for a newcomer can be large);
        # the limits bound the backlog of a peer that does not read.
        if self._outbox and (
            len(self._outbox) >= self._max_messages
            or self._outbox_bytes + len(frame) > self._max_bytes
        ):
            self.close(CloseCode.OVERLOADED, "too slow to follow the board; reconnect to resync")
            return
        self._outbox.append(frame)
        self._outbox_bytes += len(frame)

    def _write_now(self, frame: bytes) -> None:
        """Write without a task switch when the socket takes it at once.

        The ASGI ``send`` of a writable connection completes without suspending, so the
        coroutine is stepped here directly; only when it has to wait (a full socket buffer)
        is the rest handed to the send task, and later frames queue behind it in order."""
        write = self._send({"type": "websocket.send", "bytes": frame})
        try:
            waiting_on = write.send(None)
        except StopIteration:
            return
        except Exception:  # the client is gone; its reader loop sees the disconnect
            self.close(CloseCode.NORMAL, "")
            return
        self._pending_write = (write, waiting_on)
        self._start_sender()

    def close(self, code: CloseCode, reason: str) -> None:
        """Drop anything queued and close with ``code``; the send task does the writing."""
        if self.close_code is not None:
            return
        self.close_code, self.close_reason = code, reason
        counters.closes[int(code)] += 1
        self._outbox.clear()
        self._outbox_bytes = 0
        self._start_sender()

    def track_update_frame(self, submissions: int) -> None:
        """Remember an update frame that produced ``submissions`` log entries."""
        self.update_frames += 1
        self._unsettled.append(submissions)
        self._settle()

    def entry_durable(self) -> None:
        """One log entry of this peer (the oldest unsettled) is now durable."""
        if self._unsettled:
            self._unsettled[0] -= 1
        self._settle()

    def _settle(self) -> None:
        before = self.settled_frames
        while self._unsettled and self._unsettled[0] <= 0:
            self._unsettled.popleft()
            self.settled_frames += 1
        if self.acks and self.settled_frames != before:
            self.enqueue(encode_durable_ack(self.settled_frames))

    def _start_sender(self) -> None:
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        """Finish a write that had to wait, flush the queue, then send the close frame if
        the peer is closing; the task ends as soon as nothing is left to write."""
        try:
            if self._pending_write is not None:
                write, self._pending_write = self._pending_write, None
                await _finish(*write)
            while self._outbox and self.close_code is None:
                frame = self._outbox.popleft()
                self._outbox_bytes -= len(frame)
                await self._send({"type": "websocket.send", "bytes": frame})
            if self.close_code is not None:
                message = {"type": "websocket.close", "code": int(self.close_code)}
                await self._send({**message, "reason": close_reason(self.close_reason)})
        finally:
            self._sender = None

    async def flushed(self) -> None:
        """Wait until everything queued, and the close frame when closing, is written (or
        the socket is gone)."""
        while self._sender is not None:
            try:
                await self._sender
            except Exception:  # the socket may already be gone; nothing left to tell
                logger.debug("send task ended with an error", exc_info=True)


async def _finish(write: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    """Drive a coroutine that suspended on the future ``waiting_on`` to its end, as a task
    would: wait until that future is done, then resume the coroutine."""
    loop = asyncio.get_running_loop()
    try:
        while True:
            if waiting_on is None:  # a bare yield (sleep(0)): just let the loop turn
                await asyncio.sleep(0)
            else:
                resumed = loop.create_future()
                waiting_on.add_done_callback(partial(_wake, resumed))
                await resumed
            waiting_on = write.send(None)
    except StopIteration:
        return
    finally:
        write.close()


def _wake(resumed: asyncio.Future[None], _done: object) -> None:
    if not resumed.done():
        resumed.set_result(None)
